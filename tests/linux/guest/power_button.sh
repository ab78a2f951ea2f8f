#!/bin/sh
# SPDX-License-Identifier: MIT
# Wait for the ACPI power button: busybox acpid runs /etc/acpi/PWRF/00000080
# on KEY_POWER from the button's input device, which powers off.  If the
# button never comes, the script ends after 100 s (MVT-DONE, not a power
# button power-off: the case sees the difference).
mkdir -p /etc/acpi/PWRF
cat >/etc/acpi/PWRF/00000080 <<'SCRIPT'
#!/bin/sh
echo "MVT power_button=pressed" >/dev/console
poweroff -f
SCRIPT
chmod 755 /etc/acpi/PWRF/00000080
n=0
for f in /sys/class/input/*/name; do
	grep -q "Power Button" "$f" 2>/dev/null && n=$((n + 1))
done
echo "MVT power_buttons=$n"
acpid -c /etc/acpi -l /tmp/acpid.log
sleep 1
echo "MVT acpid=ready"
sleep 100
echo "MVT power_button=never"

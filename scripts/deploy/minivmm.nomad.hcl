# SPDX-License-Identifier: MIT
# One VM as one Nomad batch job with the exec driver (docs/scale-out.md).
# Nomad restarts or reschedules by minivmm's exit code: 0 (the guest
# powered off) is success; the restart block retries the others.  The
# guest's console is the task's stdout (nomad alloc logs).  The exec
# driver runs the task in a chroot with its own /dev: /dev/kvm must be
# reachable there (docs/scale-out.md says how); raw_exec is the same job
# without that isolation.
job "minivmm-web1" {
  datacenters = ["dc1"]
  type        = "batch"

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  group "vm" {
    count = 1

    restart {
      attempts = 2
      delay    = "15s"
      mode     = "fail"
    }

    reschedule {
      attempts  = 1
      unlimited = false
    }

    task "minivmm" {
      driver = "exec"

      config {
        command = "/usr/bin/minivmm"
        args = [
          "-name", "web1", "-m", "1G", "-smp", "2",
          "-kernel", "local/bzImage", "-initrd", "local/initrd.img",
          "-append", "console=ttyS0",
          "-drive", "file=local/root.img,cache=none",
          "-serial", "stdio",
        ]
      }

      # The boot files (bzImage, initrd.img, root.img), fetched and
      # unpacked next to the task; the checksum pins them.
      artifact {
        source      = "https://images.example.com/web1/vm.tar.gz"
        destination = "local/"
        options {
          checksum = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
        }
      }

      env {
        MINIVMM_RUNTIME_DIR = "${NOMAD_TASK_DIR}/run"
      }

      # SIGTERM stops minivmm at once (exit 7) after kill_timeout.
      kill_signal  = "SIGTERM"
      kill_timeout = "30s"

      resources {
        cpu    = 2000
        memory = 1200
      }
    }
  }
}

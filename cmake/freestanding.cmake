# Freestanding x86-64 guest images (the netboot firmware, test guests).
#
# They run on KVMs that emulate guest code (kvm_pvm), where SSE arithmetic,
# popcnt and crc32 end the VM, so they are built general-registers-only.
set(MINIVMM_FREESTANDING_CFLAGS
	-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -mno-red-zone
	-mgeneral-regs-only -mno-popcnt -fno-stack-protector -fno-asynchronous-unwind-tables
	-fno-exceptions -mcmodel=small -Os -Wall -Wextra -Werror -Wmissing-prototypes
	-Wstrict-prototypes -Wformat=2 -Wundef -Wshadow
	-DMINIVMM_FREESTANDING=1)

# add_freestanding_image(NAME LINKER_SCRIPT file SOURCES a.c b.S ...)
# Builds NAME.elf and the flat binary NAME.bin (target NAME).
function(add_freestanding_image name)
	cmake_parse_arguments(FS "" "LINKER_SCRIPT" "SOURCES;DEFINES" ${ARGN})
	add_executable(${name}.elf ${FS_SOURCES})
	target_compile_options(${name}.elf PRIVATE ${MINIVMM_FREESTANDING_CFLAGS})
	target_compile_definitions(${name}.elf PRIVATE ${FS_DEFINES})
	# clang's -static already means no PIE (and it warns about -no-pie).
	target_link_options(${name}.elf PRIVATE -nostdlib -static
		$<$<C_COMPILER_ID:GNU>:-no-pie>
		-Wl,--build-id=none -Wl,-T,${FS_LINKER_SCRIPT})
	set_target_properties(${name}.elf PROPERTIES LINK_DEPENDS ${FS_LINKER_SCRIPT})
	add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin
		COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${name}.elf>
			${CMAKE_CURRENT_BINARY_DIR}/${name}.bin
		DEPENDS ${name}.elf VERBATIM)
	add_custom_target(${name} ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin)
endfunction()

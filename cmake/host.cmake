# Flags for code that runs on the host (the VMM, its unit tests, tools).
set(MINIVMM_HOST_WARNINGS -Wall -Wextra -Werror -Wmissing-prototypes
	-Wstrict-prototypes -Wformat=2 -Wundef -Wshadow)
set(MINIVMM_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
	-fno-sanitize-recover=undefined)

function(minivmm_host_target tgt)
	target_compile_options(${tgt} PRIVATE ${MINIVMM_HOST_WARNINGS})
	target_compile_definitions(${tgt} PRIVATE _GNU_SOURCE=)
	if(MINIVMM_SANITIZE)
		target_compile_options(${tgt} PRIVATE ${MINIVMM_SANITIZE_FLAGS})
		target_link_options(${tgt} PRIVATE -fsanitize=address,undefined)
	endif()
endfunction()

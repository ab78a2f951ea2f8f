# Fails if the firmware ELF contains instructions kvm_pvm cannot emulate:
# SSE/AVX (xmm/ymm registers), popcnt, crc32.
execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${ELF}
	OUTPUT_VARIABLE dis RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "objdump failed on ${ELF}")
endif()
string(REGEX MATCHALL "[^\n]*(%xmm|%ymm|%zmm|popcnt|crc32)[^\n]*" bad "${dis}")
if(bad)
	list(LENGTH bad n)
	list(GET bad 0 first)
	message(FATAL_ERROR "${n} forbidden instruction(s) in the firmware, first: ${first}")
endif()
string(LENGTH "${dis}" len)
if(len LESS 1000)
	message(FATAL_ERROR "objdump output suspiciously short")
endif()
message(STATUS "firmware: no SSE/popcnt/crc32 instructions")

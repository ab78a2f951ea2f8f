// SPDX-License-Identifier: MIT
#include <stdio.h>

int main(void)
{
	puts("minivmm (under construction)");
	return 1;
}

#include <stdio.h>
int main(void)
{
    puts("rfguard (in progress)");
    return 0;
}

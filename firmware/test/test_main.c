#include "runner.h"

void test_boards(void);

int t_passed, t_failed;

int main(void)
{
    test_marshal();
    test_wasm_image();
    test_boot_state();
    test_accel();
    test_link_table();
    test_boards();
    test_hal_wifi();
    printf("%d passed, %d failed\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}

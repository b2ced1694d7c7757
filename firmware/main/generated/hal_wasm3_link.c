/* GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`. */
/* wasm3 v0.5.0 raw-function wrappers: fetch arguments from the wasm3 stack, bounds-check
   every (pointer, length) pair against linear memory, then call the C HAL.
   The check is hal_range_ok() (portable/hal_marshal.h, unit-tested on the host) rather than
   wasm3's m3ApiCheckMem, which in v0.5.0 traps on offset 0 even for zero-length buffers and
   lets a negative length through. A failed check traps (a wasm out-of-bounds access). */
#include "wasm3.h"
#include "hal_abi.h"
#include "portable/hal_marshal.h"

m3ApiRawFunction(m3_hal_log)
{
    m3ApiGetArg(int32_t, level);
    m3ApiGetArg(uint32_t, msg_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(msg_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *msg = (const uint8_t *)m3ApiOffsetToPtr(msg_offset);
    (void)runtime;
    (void)_ctx;
    hal_log(level, msg, len);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_panic)
{
    m3ApiGetArg(uint32_t, msg_offset);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, line);
    m3ApiGetArg(int32_t, column);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(msg_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *msg = (const uint8_t *)m3ApiOffsetToPtr(msg_offset);
    (void)runtime;
    (void)_ctx;
    hal_panic(msg, len, line, column);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_random_fill)
{
    m3ApiGetArg(uint32_t, buf_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(buf_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *buf = (uint8_t *)m3ApiOffsetToPtr(buf_offset);
    (void)runtime;
    (void)_ctx;
    hal_random_fill(buf, len);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_board_info)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_board_info(key));
}

m3ApiRawFunction(m3_hal_factory_mac)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, kind);
    m3ApiGetArg(uint32_t, out_offset);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(out_offset, 6, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *out = (uint8_t *)m3ApiOffsetToPtr(out_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_factory_mac(kind, out));
}

m3ApiRawFunction(m3_hal_spi_transfer)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, device);
    m3ApiGetArg(uint32_t, tx_offset);
    m3ApiGetArg(int32_t, tx_len);
    m3ApiGetArg(uint32_t, rx_offset);
    m3ApiGetArg(int32_t, rx_len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(tx_offset, tx_len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *tx = (const uint8_t *)m3ApiOffsetToPtr(tx_offset);
    if (!hal_range_ok(rx_offset, rx_len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *rx = (uint8_t *)m3ApiOffsetToPtr(rx_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_spi_transfer(device, tx, tx_len, rx, rx_len));
}

m3ApiRawFunction(m3_hal_gpio_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    m3ApiGetArg(int32_t, level);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_gpio_write(pin, level));
}

m3ApiRawFunction(m3_hal_gpio_read)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_gpio_read(pin));
}

m3ApiRawFunction(m3_hal_gpio_irq_enable)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    m3ApiGetArg(int32_t, edge);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_gpio_irq_enable(pin, edge));
}

m3ApiRawFunction(m3_hal_flash_size)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_flash_size(partition));
}

m3ApiRawFunction(m3_hal_flash_sector_size)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_flash_sector_size(partition));
}

m3ApiRawFunction(m3_hal_flash_read)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArg(uint32_t, buf_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(buf_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *buf = (uint8_t *)m3ApiOffsetToPtr(buf_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_flash_read(partition, offset, buf, len));
}

m3ApiRawFunction(m3_hal_flash_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArg(uint32_t, buf_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(buf_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *buf = (uint8_t *)m3ApiOffsetToPtr(buf_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_flash_write(partition, offset, buf, len));
}

m3ApiRawFunction(m3_hal_flash_erase)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArg(int32_t, len);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_flash_erase(partition, offset, len));
}

m3ApiRawFunction(m3_hal_uart_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, port);
    m3ApiGetArg(uint32_t, buf_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(buf_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *buf = (uint8_t *)m3ApiOffsetToPtr(buf_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_uart_write(port, buf, len));
}

m3ApiRawFunction(m3_hal_wifi_scan)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, params_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(params_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *params = (const uint8_t *)m3ApiOffsetToPtr(params_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_scan(params, len));
}

m3ApiRawFunction(m3_hal_wifi_join)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, params_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(params_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *params = (const uint8_t *)m3ApiOffsetToPtr(params_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_join(params, len));
}

m3ApiRawFunction(m3_hal_wifi_leave)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, reason);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_leave(reason));
}

m3ApiRawFunction(m3_hal_wifi_tx)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, frame_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(frame_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *frame = (const uint8_t *)m3ApiOffsetToPtr(frame_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_tx(frame, len));
}

m3ApiRawFunction(m3_hal_wifi_eapol_tx)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, frame_offset);
    m3ApiGetArg(int32_t, len);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(frame_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *frame = (const uint8_t *)m3ApiOffsetToPtr(frame_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_eapol_tx(frame, len));
}

m3ApiRawFunction(m3_hal_wifi_set_key)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, kind);
    m3ApiGetArg(int32_t, index);
    m3ApiGetArg(uint32_t, key_offset);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(uint32_t, rsc_offset);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(key_offset, key_len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *key = (const uint8_t *)m3ApiOffsetToPtr(key_offset);
    if (!hal_range_ok(rsc_offset, 6, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *rsc = (const uint8_t *)m3ApiOffsetToPtr(rsc_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_set_key(kind, index, key, key_len, rsc));
}

m3ApiRawFunction(m3_hal_wifi_clear_keys)
{
    m3ApiReturnType(int32_t);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_clear_keys());
}

m3ApiRawFunction(m3_hal_wifi_set_power_save)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, mode);
    m3ApiGetArg(int32_t, listen_interval);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_wifi_set_power_save(mode, listen_interval));
}

m3ApiRawFunction(m3_hal_accel_caps)
{
    m3ApiReturnType(int32_t);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_accel_caps());
}

m3ApiRawFunction(m3_hal_accel_sha1_block)
{
    m3ApiGetArg(uint32_t, state_offset);
    m3ApiGetArg(uint32_t, block_offset);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(state_offset, 20, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *state = (uint8_t *)m3ApiOffsetToPtr(state_offset);
    if (!hal_range_ok(block_offset, 64, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *block = (const uint8_t *)m3ApiOffsetToPtr(block_offset);
    (void)runtime;
    (void)_ctx;
    hal_accel_sha1_block(state, block);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_accel_aes128_encrypt)
{
    m3ApiGetArg(uint32_t, key_offset);
    m3ApiGetArg(uint32_t, input_offset);
    m3ApiGetArg(uint32_t, output_offset);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(key_offset, 16, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *key = (const uint8_t *)m3ApiOffsetToPtr(key_offset);
    if (!hal_range_ok(input_offset, 16, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    const uint8_t *input = (const uint8_t *)m3ApiOffsetToPtr(input_offset);
    if (!hal_range_ok(output_offset, 16, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *output = (uint8_t *)m3ApiOffsetToPtr(output_offset);
    (void)runtime;
    (void)_ctx;
    hal_accel_aes128_encrypt(key, input, output);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_accel_inet_checksum)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(uint32_t, buf_offset);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, seed);
    const uint32_t mem_size = m3_GetMemorySize(runtime);
    if (!hal_range_ok(buf_offset, len, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *buf = (uint8_t *)m3ApiOffsetToPtr(buf_offset);
    (void)runtime;
    (void)_ctx;
    m3ApiReturn(hal_accel_inet_checksum(buf, len, seed));
}

m3ApiRawFunction(m3_hal_system_reboot)
{
    m3ApiGetArg(int32_t, reason);
    (void)_mem;
    (void)runtime;
    (void)_ctx;
    hal_system_reboot(reason);
    m3ApiSuccess();
}

/* Links every HAL import the module declares. An import the module does not use is not an
   error (m3Err_functionLookupFailed); a signature mismatch is. Imports the host does not
   provide at all are found before this, by wasm_check_imports() (portable/wasm_image.c). */
M3Result hal_link_all(IM3Module module)
{
    M3Result result = m3Err_none;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "log", "v(i*i)", &m3_hal_log);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "panic", "v(*iii)", &m3_hal_panic);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "random_fill", "v(*i)", &m3_hal_random_fill);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "board_info", "i(i)", &m3_hal_board_info);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "factory_mac", "i(i*)", &m3_hal_factory_mac);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "spi_transfer", "i(i*i*i)", &m3_hal_spi_transfer);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "gpio_write", "i(ii)", &m3_hal_gpio_write);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "gpio_read", "i(i)", &m3_hal_gpio_read);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "gpio_irq_enable", "i(ii)", &m3_hal_gpio_irq_enable);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "flash_size", "i(i)", &m3_hal_flash_size);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "flash_sector_size", "i(i)", &m3_hal_flash_sector_size);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "flash_read", "i(ii*i)", &m3_hal_flash_read);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "flash_write", "i(ii*i)", &m3_hal_flash_write);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "flash_erase", "i(iii)", &m3_hal_flash_erase);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "uart_write", "i(i*i)", &m3_hal_uart_write);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_scan", "i(*i)", &m3_hal_wifi_scan);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_join", "i(*i)", &m3_hal_wifi_join);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_leave", "i(i)", &m3_hal_wifi_leave);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_tx", "i(*i)", &m3_hal_wifi_tx);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_eapol_tx", "i(*i)", &m3_hal_wifi_eapol_tx);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_set_key", "i(ii*i*)", &m3_hal_wifi_set_key);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_clear_keys", "i()", &m3_hal_wifi_clear_keys);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "wifi_set_power_save", "i(ii)", &m3_hal_wifi_set_power_save);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "accel_caps", "i()", &m3_hal_accel_caps);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "accel_sha1_block", "v(**)", &m3_hal_accel_sha1_block);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "accel_aes128_encrypt", "v(***)", &m3_hal_accel_aes128_encrypt);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "accel_inet_checksum", "i(*ii)", &m3_hal_accel_inet_checksum);
    if (result && result != m3Err_functionLookupFailed) return result;
    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "system_reboot", "v(i)", &m3_hal_system_reboot);
    if (result && result != m3Err_functionLookupFailed) return result;
    return m3Err_none;
}

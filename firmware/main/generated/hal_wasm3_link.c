/* GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`. */
/* wasm3 v0.5.0 raw-function wrappers: fetch arguments from the wasm3 stack, bounds-check
   every (pointer, length) pair against linear memory, then call the C HAL. */
#include "wasm3.h"
#include "m3_api_defs.h"
#include "hal_abi.h"

m3ApiRawFunction(m3_hal_log)
{
    m3ApiGetArg(int32_t, level);
    m3ApiGetArgMem(const uint8_t *, msg);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(msg, len);
    hal_log(level, msg, len);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_panic)
{
    m3ApiGetArgMem(const uint8_t *, msg);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, line);
    m3ApiGetArg(int32_t, column);
    m3ApiCheckMem(msg, len);
    hal_panic(msg, len, line, column);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_random_fill)
{
    m3ApiGetArgMem(uint8_t *, buf);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(buf, len);
    hal_random_fill(buf, len);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_board_info)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key);
    m3ApiReturn(hal_board_info(key));
}

m3ApiRawFunction(m3_hal_spi_transfer)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, device);
    m3ApiGetArgMem(const uint8_t *, tx);
    m3ApiGetArg(int32_t, tx_len);
    m3ApiGetArgMem(uint8_t *, rx);
    m3ApiGetArg(int32_t, rx_len);
    m3ApiCheckMem(tx, tx_len);
    m3ApiCheckMem(rx, rx_len);
    m3ApiReturn(hal_spi_transfer(device, tx, tx_len, rx, rx_len));
}

m3ApiRawFunction(m3_hal_gpio_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    m3ApiGetArg(int32_t, level);
    m3ApiReturn(hal_gpio_write(pin, level));
}

m3ApiRawFunction(m3_hal_gpio_read)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    m3ApiReturn(hal_gpio_read(pin));
}

m3ApiRawFunction(m3_hal_gpio_irq_enable)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pin);
    m3ApiGetArg(int32_t, edge);
    m3ApiReturn(hal_gpio_irq_enable(pin, edge));
}

m3ApiRawFunction(m3_hal_flash_size)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiReturn(hal_flash_size(partition));
}

m3ApiRawFunction(m3_hal_flash_sector_size)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiReturn(hal_flash_sector_size(partition));
}

m3ApiRawFunction(m3_hal_flash_read)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArgMem(uint8_t *, buf);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(buf, len);
    m3ApiReturn(hal_flash_read(partition, offset, buf, len));
}

m3ApiRawFunction(m3_hal_flash_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArgMem(uint8_t *, buf);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(buf, len);
    m3ApiReturn(hal_flash_write(partition, offset, buf, len));
}

m3ApiRawFunction(m3_hal_flash_erase)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, partition);
    m3ApiGetArg(int32_t, offset);
    m3ApiGetArg(int32_t, len);
    m3ApiReturn(hal_flash_erase(partition, offset, len));
}

m3ApiRawFunction(m3_hal_uart_write)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, port);
    m3ApiGetArgMem(uint8_t *, buf);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(buf, len);
    m3ApiReturn(hal_uart_write(port, buf, len));
}

m3ApiRawFunction(m3_hal_wifi_scan)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArgMem(const uint8_t *, params);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(params, len);
    m3ApiReturn(hal_wifi_scan(params, len));
}

m3ApiRawFunction(m3_hal_wifi_join)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArgMem(const uint8_t *, params);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(params, len);
    m3ApiReturn(hal_wifi_join(params, len));
}

m3ApiRawFunction(m3_hal_wifi_leave)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, reason);
    m3ApiReturn(hal_wifi_leave(reason));
}

m3ApiRawFunction(m3_hal_wifi_tx)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArgMem(const uint8_t *, frame);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(frame, len);
    m3ApiReturn(hal_wifi_tx(frame, len));
}

m3ApiRawFunction(m3_hal_wifi_eapol_tx)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArgMem(const uint8_t *, frame);
    m3ApiGetArg(int32_t, len);
    m3ApiCheckMem(frame, len);
    m3ApiReturn(hal_wifi_eapol_tx(frame, len));
}

m3ApiRawFunction(m3_hal_wifi_set_key)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, kind);
    m3ApiGetArg(int32_t, index);
    m3ApiGetArgMem(const uint8_t *, key);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArgMem(const uint8_t *, rsc);
    m3ApiCheckMem(key, key_len);
    m3ApiCheckMem(rsc, 6);
    m3ApiReturn(hal_wifi_set_key(kind, index, key, key_len, rsc));
}

m3ApiRawFunction(m3_hal_wifi_clear_keys)
{
    m3ApiReturnType(int32_t);
    m3ApiReturn(hal_wifi_clear_keys());
}

m3ApiRawFunction(m3_hal_wifi_set_power_save)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, mode);
    m3ApiGetArg(int32_t, listen_interval);
    m3ApiReturn(hal_wifi_set_power_save(mode, listen_interval));
}

m3ApiRawFunction(m3_hal_accel_caps)
{
    m3ApiReturnType(int32_t);
    m3ApiReturn(hal_accel_caps());
}

m3ApiRawFunction(m3_hal_accel_sha1_block)
{
    m3ApiGetArgMem(const uint8_t *, state);
    m3ApiGetArgMem(const uint8_t *, block);
    m3ApiCheckMem(state, 20);
    m3ApiCheckMem(block, 64);
    hal_accel_sha1_block(state, block);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_accel_aes128_encrypt)
{
    m3ApiGetArgMem(const uint8_t *, key);
    m3ApiGetArgMem(const uint8_t *, input);
    m3ApiGetArgMem(uint8_t *, output);
    m3ApiCheckMem(key, 16);
    m3ApiCheckMem(input, 16);
    m3ApiCheckMem(output, 16);
    hal_accel_aes128_encrypt(key, input, output);
    m3ApiSuccess();
}

m3ApiRawFunction(m3_hal_accel_inet_checksum)
{
    m3ApiReturnType(int32_t);
    m3ApiGetArgMem(uint8_t *, buf);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, seed);
    m3ApiCheckMem(buf, len);
    m3ApiReturn(hal_accel_inet_checksum(buf, len, seed));
}

m3ApiRawFunction(m3_hal_system_reboot)
{
    m3ApiGetArg(int32_t, reason);
    hal_system_reboot(reason);
    m3ApiSuccess();
}

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

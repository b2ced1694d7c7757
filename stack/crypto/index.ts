// The crypto a WPA2-PSK supplicant needs: SHA-1, HMAC-SHA1, PBKDF2 (passphrase -> PMK),
// the 802.11 PRF (PTK), the EAPOL-Key MIC, AES and RFC 3394 key unwrap (GTK KDE).
// Everything is allocation-free: contexts are caller memory of *_CTX_SIZE / *_JOB_SIZE
// bytes, or module statics behind the one-shot functions (not reentrant).
//
// Cost on the device (bench/crypto.ts, CPU model 90 ns/instruction + 1.2 µs/call):
// one SHA-1 block ~2,300-2,500 wasm instructions (~0.22 ms); passphrase -> PMK is 16,386
// blocks, ~37.7 M instructions, ~3.4 s. So: derive the PMK once per (SSID, passphrase)
// and keep it (a 64-hex PSK skips it entirely), and run the derivation as a job in slices
// between polls: wpaPmkBegin(job, ...), then wpaPmkStep(job, 64) per poll (~29 ms each,
// 8,192 iterations in all), then wpaPmkResult(job, pmk). With AccelCap.Sha1 the wasm side
// drops to ~1.9 M instructions plus the host's time per block. PTK ~30 k instructions,
// an EAPOL MIC ~16 k, a 32-byte GTK unwrap ~280 k (software AES; there is no decrypt
// accelerator in the HAL).
export * from "./accel";
export * from "./sha1";
export * from "./hmac";
export * from "./pbkdf2";
export * from "./wpa";
export * from "./aes";
export * from "./keywrap";

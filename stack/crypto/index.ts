// The crypto a WPA2-PSK supplicant needs: SHA-1, HMAC-SHA1, PBKDF2 (passphrase -> PMK),
// the 802.11 PRF (PTK), the EAPOL-Key MIC, AES and RFC 3394 key unwrap (GTK KDE).
// Everything is allocation-free: contexts are caller memory of *_CTX_SIZE / *_JOB_SIZE
// bytes, or module statics behind the one-shot functions (not reentrant).
export * from "./accel";
export * from "./sha1";
export * from "./hmac";
export * from "./pbkdf2";
export * from "./wpa";
export * from "./aes";
export * from "./keywrap";

// The ESP32 Wi-Fi interface: NetDriver + connection manager (wifi.ts), WPA2-PSK supplicant
// (supplicant.ts), RSN element (rsn.ts), EAPOL-Key frames (eapol.ts), bounded tables of
// known networks, PMK cache and scan results (networks.ts).
export * from "./wifi";
export * from "./supplicant";
export * from "./rsn";
export * from "./eapol";
export * from "./networks";

// Improv Wi-Fi serial against the device console, with a client written from the spec
// (tools/cli/improv.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { HarnessBoard } from "../../tools/cli/harness-board.ts";
import {
  improvFrame, rpcFrame, wifiSettingsData, wifiSettingsFrame, parseRpcResult, ImprovScanner,
  ImprovType, ImprovState, ImprovError, ImprovCmd, type ImprovPacket,
} from "../../tools/cli/improv.ts";

function exchange(b: HarnessBoard, frame: Uint8Array): ImprovPacket[] {
  b.take();
  b.feed(frame, b.now + 1000);
  return new ImprovScanner().push(b.take()).packets;
}

test("the spec's Send Wi-Fi settings example, byte for byte", () => {
  // serial.md: SSID = MyWirelessAP, Password = mysecurepassword ->
  //   01 1E 0C {MyWirelessAP} 10 {mysecurepassword}
  const spec = Buffer.concat([Buffer.from([0x01, 0x1e, 0x0c]), Buffer.from("MyWirelessAP"), Buffer.from([0x10]), Buffer.from("mysecurepassword")]);
  assert.deepEqual(Buffer.from(wifiSettingsData("MyWirelessAP", "mysecurepassword")), spec);
  const frame = wifiSettingsFrame("MyWirelessAP", "mysecurepassword");
  // "IMPROV", version 1, type 3 (RPC), length 32, data, checksum = sum of all preceding bytes mod 256.
  const expected = Buffer.concat([Buffer.from("IMPROV"), Buffer.from([1, 3, 0x20]), spec]);
  const sum = [...expected].reduce((a, c) => a + c, 0) & 0xff;
  assert.deepEqual(Buffer.from(frame), Buffer.concat([expected, Buffer.from([sum])]));
  assert.equal(frame.length, 6 + 3 + 32 + 1);
});

test("a client provisions Wi-Fi: state provisioning then provisioned, credentials in config", () => {
  const b = new HarnessBoard({ fakeWifi: true });
  let p = exchange(b, rpcFrame(ImprovCmd.CurrentState));
  assert.deepEqual(p.map((x) => [x.type, ...x.data]), [[ImprovType.ErrorState, ImprovError.None], [ImprovType.CurrentState, ImprovState.Ready]]);

  p = exchange(b, wifiSettingsFrame("MyWirelessAP", "mysecurepassword"));
  assert.deepEqual(p.map((x) => [x.type, ...x.data]), [[ImprovType.ErrorState, 0], [ImprovType.CurrentState, ImprovState.Provisioning]]);
  assert.equal(b.ex.join_requested(), 0, "the Wi-Fi part was asked to join slot 0");
  b.take();
  b.ex.wifi_result(1, BigInt(b.now));
  p = new ImprovScanner().push(b.take()).packets;
  assert.deepEqual(p[0], { type: ImprovType.CurrentState, data: Uint8Array.from([ImprovState.Provisioned]) });
  assert.equal(p[1].type, ImprovType.RpcResult);
  assert.deepEqual(parseRpcResult(p[1].data), { cmd: ImprovCmd.WifiSettings, strings: [] });

  // Request current state when provisioned: the state, then the provisioning result again.
  p = exchange(b, rpcFrame(ImprovCmd.CurrentState));
  assert.deepEqual(p.slice(1).map((x) => x.type), [ImprovType.CurrentState, ImprovType.RpcResult]);

  b.boot();
  assert.deepEqual(b.command("wifi list").data, { "wifi.0.ssid": "MyWirelessAP" });
  assert.equal(b.command("config get wifi.0.pass").data["wifi.0.pass"], "********");
});

test("provisioning failure and timeout report 'unable to connect'; no Wi-Fi part: stored, then unable to connect", () => {
  const b = new HarnessBoard({ fakeWifi: true });
  exchange(b, wifiSettingsFrame("Net", "password123"));
  b.take();
  b.ex.wifi_result(0, BigInt(b.now));
  let p = new ImprovScanner().push(b.take()).packets;
  assert.deepEqual(p.map((x) => [x.type, ...x.data]), [[ImprovType.ErrorState, ImprovError.UnableToConnect], [ImprovType.CurrentState, ImprovState.Ready]]);

  exchange(b, wifiSettingsFrame("Net", "password123"));
  b.take();
  b.advance(31_000_000);
  p = new ImprovScanner().push(b.take()).packets;
  assert.deepEqual(p[0], { type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.UnableToConnect]) });

  const plain = new HarnessBoard();
  p = exchange(plain, wifiSettingsFrame("Net2", "password123"));
  assert.deepEqual(p.map((x) => [x.type, ...x.data]), [
    [ImprovType.ErrorState, 0], [ImprovType.CurrentState, ImprovState.Provisioning],
    [ImprovType.ErrorState, ImprovError.UnableToConnect], [ImprovType.CurrentState, ImprovState.Ready],
  ]);
  assert.deepEqual(plain.command("wifi list").data, { "wifi.0.ssid": "Net2" });
});

test("device info, scan (empty without a Wi-Fi part: the console harness has none), hostname, unknown command", () => {
  const b = new HarnessBoard();
  b.command("config set hostname porch-light"); b.command("config commit");
  let p = exchange(b, rpcFrame(ImprovCmd.DeviceInfo));
  assert.deepEqual(parseRpcResult(p[1].data), { cmd: 3, strings: ["wasmnet", "0.1.0", "esp32", "porch-light"] });
  p = exchange(b, rpcFrame(ImprovCmd.Scan));
  assert.deepEqual(parseRpcResult(p[1].data), { cmd: 4, strings: [] });
  p = exchange(b, rpcFrame(ImprovCmd.Hostname, Buffer.from("garage")));
  assert.deepEqual(parseRpcResult(p[1].data), { cmd: 5, strings: ["garage"] });
  p = exchange(b, rpcFrame(ImprovCmd.Hostname, Buffer.from("bad name")));
  assert.deepEqual(p[1], { type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.BadHostname]) });
  p = exchange(b, rpcFrame(0x42));
  assert.deepEqual(p[1], { type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.UnknownRpc]) });
});

test("bad frames: wrong checksum, bad lengths, wrong type; text around frames still works", () => {
  const b = new HarnessBoard();
  const f = rpcFrame(ImprovCmd.DeviceInfo);
  f[f.length - 1] ^= 1;
  let p = exchange(b, f);
  assert.deepEqual(p, [{ type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.InvalidRpc]) }]);
  p = exchange(b, improvFrame(ImprovType.Rpc, Uint8Array.from([1, 9, 3, 65])));
  assert.deepEqual(p, [{ type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.InvalidRpc]) }]);
  p = exchange(b, improvFrame(ImprovType.Rpc, wifiSettingsData("x", "short")));
  assert.deepEqual(p.map((x) => [x.type, ...x.data]), [[2, 0], [2, ImprovError.InvalidRpc]]);
  p = exchange(b, improvFrame(ImprovType.CurrentState, Uint8Array.from([2])));
  assert.deepEqual(p, [{ type: ImprovType.ErrorState, data: Uint8Array.from([ImprovError.InvalidRpc]) }]);
  assert.ok(b.ex.counter(81) >= 3);

  // A frame in the middle of a typed line; the line still runs. Words starting like the header too.
  b.take();
  b.feed(Buffer.concat([Buffer.from("log "), rpcFrame(ImprovCmd.CurrentState), Buffer.from("level\r")]));
  let out = b.take();
  assert.equal(new ImprovScanner().push(out).packets.length, 2);
  assert.match(Buffer.from(out).toString("latin1"), /log_level: 2/);
  b.feed("IMPROVISE\r");
  assert.match(b.takeText(), /unknown command 'IMPROVISE'/);
  // A half frame, then a pause: dropped and counted; typing resumes.
  b.feed(Buffer.concat([Buffer.from("IMPROV"), Buffer.from([1, 3, 40, 1, 2])]));
  const bad = b.ex.counter(81);
  b.advance(600_000);
  assert.equal(b.ex.counter(81), bad + 1);
  b.feed("status\r");
  assert.match(b.takeText(), /firmware: wasmnet/);
  // "IMP" typed and left alone shows up after the hold timeout.
  b.feed("IMP");
  assert.equal(b.takeText(), "");
  b.advance(600_000);
  assert.equal(b.takeText(), "IMP");
});

test("fuzz: 50k random Improv-ish streams; a valid RPC works afterwards", async () => {
  const { Rng } = await import("../../sim/core/rng.ts");
  const b = new HarnessBoard();
  const rng = new Rng(4242);
  const good = rpcFrame(ImprovCmd.DeviceInfo);
  for (let i = 0; i < 50_000; i++) {
    let s: Uint8Array;
    const k = rng.int(4);
    if (k === 0) s = rng.bytes(1 + rng.int(64));
    else {
      // Mutate a valid frame: truncate, flip bytes, change lengths.
      const f = Uint8Array.from(k === 1 ? good : wifiSettingsFrame("n" + rng.int(9), "p".repeat(rng.int(70))));
      for (let m = rng.int(3); m >= 0; m--) f[rng.int(f.length)] = rng.u32() & 0xff;
      s = k === 3 ? f.subarray(0, rng.int(f.length)) : f;
    }
    b.feed(s, b.now + 50);
    if (i % 500 === 499) {
      b.advance(1_000_000);
      const p = exchange(b, good);
      const res = p.find((x) => x.type === ImprovType.RpcResult);
      assert.ok(res, `no device info after stream ${i}`);
      assert.equal(parseRpcResult(res!.data)?.strings[0], "wasmnet");
    }
  }
  b.advance(1_000_000);
  assert.equal(b.command("status").ok, true);
  assert.equal(b.panics.length, 0);
  b.boot();
  assert.equal(b.ex.counter(82), 0, "store reads back without CRC errors");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link } from "../../sim/net/link.ts";
import { Switch } from "../../sim/net/switch.ts";
import { macToString } from "../../sim/net/port.ts";

const mac = (n: number) => Uint8Array.of(0x02, 0, 0, 0, 0, n);

function eth(dst: Uint8Array, src: Uint8Array): Uint8Array {
  const f = new Uint8Array(60);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88; f[13] = 0xb5; // local experimental ethertype
  return f;
}

function setup(n: number, opts: { macTableSize?: number; ageingUs?: number } = {}) {
  const sched = new Scheduler();
  const rng = new Rng(1);
  const sw = new Switch(sched, { ports: n, ...opts });
  const links: Link[] = [];
  const got: string[][] = [];
  for (let i = 0; i < n; i++) {
    const link = new Link(sched, rng.fork(`p${i}`), { params: { delayUs: 10 } });
    sw.attach(i, link.b);
    got.push([]);
    link.a.attach({ receive: (f) => got[i].push(`${macToString(f, 6)}>${macToString(f, 0)}`) });
    links.push(link);
  }
  const send = (port: number, dst: Uint8Array, src: Uint8Array) => { links[port].a.send(eth(dst, src)); sched.runUntil(sched.now + 1000); };
  const clear = () => got.forEach((g) => (g.length = 0));
  return { sched, sw, links, got, send, clear };
}

const BC = Uint8Array.of(255, 255, 255, 255, 255, 255);

test("switch floods unknown and broadcast, then forwards learned unicast to one port", () => {
  const { sw, got, send, clear } = setup(4);
  send(0, BC, mac(1));
  assert.deepEqual(got.map((g) => g.length), [0, 1, 1, 1]);
  clear();
  send(1, mac(1), mac(2)); // mac(1) was learned on port 0
  assert.deepEqual(got.map((g) => g.length), [1, 0, 0, 0]);
  clear();
  send(0, mac(2), mac(1));
  assert.deepEqual(got.map((g) => g.length), [0, 1, 0, 0]);
  clear();
  send(0, mac(9), mac(1)); // unknown unicast floods
  assert.deepEqual(got.map((g) => g.length), [0, 1, 1, 1]);
  assert.equal(sw.lookup(mac(2)), 1);
  assert.equal(sw.counters.forwarded, 2);
  assert.equal(sw.counters.flooded, 2);
});

test("a frame for a host on the ingress port is filtered; a moved host is relearned", () => {
  const { sw, got, send, clear } = setup(3);
  send(0, BC, mac(1));
  send(0, BC, mac(2));
  clear();
  send(0, mac(2), mac(1));
  assert.deepEqual(got.map((g) => g.length), [0, 0, 0]);
  assert.equal(sw.counters.filtered, 1);
  send(2, BC, mac(2)); // mac(2) moved to port 2
  clear();
  send(0, mac(2), mac(1));
  assert.deepEqual(got.map((g) => g.length), [0, 0, 1]);
});

test("entries age out, and a port going down forgets its addresses", () => {
  const { sched, sw, links, send } = setup(3, { ageingUs: 60e6 });
  send(1, BC, mac(5));
  send(2, BC, mac(6));
  assert.equal(sw.tableSize, 2);
  sched.runUntil(sched.now + 30e6);
  send(2, BC, mac(6)); // refresh mac(6) only
  sched.runUntil(sched.now + 40e6);
  assert.equal(sw.lookup(mac(5)), undefined);
  assert.equal(sw.lookup(mac(6)), 2);
  links[2].setUp(false);
  assert.equal(sw.lookup(mac(6)), undefined);
  assert.equal(sw.tableSize, 0);
});

test("a full table does not learn new addresses; they flood", () => {
  const { sw, got, send, clear } = setup(3, { macTableSize: 2 });
  send(0, BC, mac(1));
  send(1, BC, mac(2));
  send(2, BC, mac(3));
  assert.equal(sw.counters.tableFull, 1);
  assert.equal(sw.lookup(mac(3)), undefined);
  clear();
  send(0, mac(3), mac(1));
  assert.deepEqual(got.map((g) => g.length), [0, 1, 1]);
});

// Console bring-up for System: call consoleInit() once in System.init() (after
// configStore.init()), feed UART bytes to shell.onBytes(), and include shell.poll(now) in
// System.poll. Other parts add commands with shell.register("name", "help line", fn).
import { board_info, BoardKey } from "../../hal/generated/hal";
import { setLogLevel } from "../runtime/log";
import { configStore } from "../config/store";
import { shell } from "./shell";
import { registerBuiltins } from "./commands";

export { shell, Args, CommandFn } from "./shell";
export { Reply } from "./out";
export {
  improvSetConnector, improvSetScanner, improvWifiResult, improvScanResult, improvScanDone, improvState,
} from "./improv";

/** The console UART (BoardKey.ConsoleUart, default 0). */
export function consolePort(): i32 {
  const p = board_info(BoardKey.ConsoleUart);
  return p < 0 ? 0 : p;
}

export function consoleInit(): void {
  shell.init(consolePort());
  registerBuiltins();
  setLogLevel(<i32>configStore.getU32("log.level"));
}

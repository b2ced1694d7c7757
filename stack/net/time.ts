// Deadline arithmetic shared by the state machines (deadlines are absolute µs; NO_DEADLINE idle).
// @ts-ignore: decorator
@inline export function earliestOf(a: i64, b: i64): i64 { return a < b ? a : b; }

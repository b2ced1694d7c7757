// Guards the pinned toolchain: as-pect 8.1.0's transform is known to mis-handle class
// equality with assemblyscript 0.28.17 and later, so that `toStrictEqual` on differing
// instances passes. This test fails if that regression ever comes back.
class Pair {
  constructor(public a: i32, public b: i32) {}
}

describe("toolchain", () => {
  it("reports a class-equality mismatch", () => {
    expect(() => {
      expect(new Pair(1, 2)).toStrictEqual(new Pair(1, 3));
    }).toThrow("differing instances must not compare equal");
  });
  it("accepts equal instances", () => {
    expect(new Pair(1, 2)).toStrictEqual(new Pair(1, 2));
  });
});

import { describe, expect, it } from "vitest";
import {
  MAX_TOKEN_CHARS,
  coveredBy,
  formatToken,
  mergeTokenTexts,
  mergeTokens,
  missingFrom,
  parseToken,
  vectorText,
} from "@/lib/session-token";

const DOC = "0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10";
const token = (text: string) => {
  const parsed = parseToken(text);
  expect(parsed, text).not.toBeNull();
  return parsed!;
};

describe("session tokens (crdt_core's SessionToken rules)", () => {
  it("reads and prints the text form, leaving zero entries out", () => {
    expect(token(`${DOC};0:17,1:9,2:12`)).toEqual({ documentId: DOC, vector: { 0: 17, 1: 9, 2: 12 } });
    expect(formatToken(token(` ${DOC};2:12,0:17,1:0 `))).toBe(`${DOC};0:17,2:12`);
    expect(formatToken(token(";"))).toBe(";");
    expect(token(";0:3,,1:4").vector).toEqual({ 0: 3, 1: 4 });
  });

  it("refuses what crdt_core refuses", () => {
    for (const bad of ["0:1", "doc;0:x", "doc;0", "doc;-1:3", "doc;0:1,0:2", "doc;64:1", "do c;0:1", "x".repeat(65) + ";", `;${"0:1,".repeat(MAX_TOKEN_CHARS)}`]) {
      expect(parseToken(bad), bad).toBeNull();
    }
  });

  it("is covered by a watermark that holds as much per origin (JSON's string keys too)", () => {
    const t = token("d;0:17,1:9");
    expect(coveredBy(t, { "0": 17, "1": 9, "2": 4 })).toBe(true);
    expect(coveredBy(t, { 0: 17, 1: 8 })).toBe(false);
    expect(coveredBy(t, { 0: 17 })).toBe(false);
    expect(coveredBy(token("d;"), {})).toBe(true);
    expect(missingFrom(t, { "0": 15 })).toEqual({ a: 2, b: 9 });
  });

  it("merges to the pointwise maximum, keeping the document of the token that saw more", () => {
    const older = token("old;0:3,1:5");
    const newer = token("new;0:4,1:5,2:1");
    expect(mergeTokens(older, newer)).toEqual({ documentId: "new", vector: { 0: 4, 1: 5, 2: 1 } });
    expect(mergeTokens(newer, older)).toEqual({ documentId: "new", vector: { 0: 4, 1: 5, 2: 1 } });
    // Neither covers the other: the newer one (the argument) names the document.
    expect(mergeTokens(token("x;0:9"), token("y;1:9"))).toEqual({ documentId: "y", vector: { 0: 9, 1: 9 } });
    // An empty document id never wins over a known one.
    expect(mergeTokens(token("x;0:9"), token(";0:1")).documentId).toBe("x");
    expect(mergeTokens(token(";0:1"), token("x;0:1")).documentId).toBe("x");
    // Commutative in the vector, idempotent.
    const a = token("d;0:1,2:7");
    const b = token("d;0:5,1:2");
    expect(mergeTokens(a, b).vector).toEqual(mergeTokens(b, a).vector);
    expect(mergeTokens(a, a)).toEqual(a);
  });

  it("merges text forms, leaving an unreadable side out", () => {
    expect(mergeTokenTexts("d;0:3", "d;0:2,1:1")).toBe("d;0:3,1:1");
    expect(mergeTokenTexts(null, "d;0:2")).toBe("d;0:2");
    expect(mergeTokenTexts("d;0:2", null)).toBe("d;0:2");
    expect(mergeTokenTexts("garbage", "d;0:2")).toBe("d;0:2");
    expect(mergeTokenTexts(undefined, "garbage")).toBeNull();
  });

  it("shows a vector with the nodes' names", () => {
    expect(vectorText({ 0: 17, 1: 9, 2: 12 })).toBe("a 17 · b 9 · c 12");
    expect(vectorText({ "2": 3 })).toBe("a 0 · b 0 · c 3");
  });
});

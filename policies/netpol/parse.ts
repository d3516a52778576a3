/**
 * One YAML or JSON document parsed fast (js-yaml, no node positions), within the bounds of limits.ts, remembering the
 * line of each item of its top-level lists: a List's `items` and a flows file's entries are what messages point at.
 */
import * as jsYaml from "js-yaml";
import { CORE_SCHEMA, load, Type, YAMLException } from "js-yaml";
import { aliasProblem } from "./aliasing";
import { MAX_NESTING } from "./limits";

/**
 * YAML's JSON-compatible core schema, plus merge keys (`<<: *defaults`), which Kubernetes' YAML decoding also
 * understands. Its other YAML 1.1 types (timestamps, binary, sets) are not part of any Kubernetes field netpol reads.
 */
const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: Type } }).types.merge] });

/** Lists at most this deep (the document is 1) get their items' lines recorded: deep enough for a List's `items`. */
const RECORDED_DEPTH = 4;

export type Parsed =
    | { ok: true; value: unknown; itemLines: (list: unknown[]) => number[] | undefined }
    | { ok: false; /** 0-based within the text; absent for a problem of the whole document */ line?: number; message: string };

/**
 * Parses `text`. Syntax errors, nesting deeper than `MAX_NESTING` and
 * excessive aliasing all fail here, before anything walks the value.
 */
export function parseYaml(text: string): Parsed {
    const lines = new Map<unknown[], number[]>();
    const children: number[][] = [];
    const listener = (event: "open" | "close", state: { depth: number; line: number; result: unknown }) => {
        const depth = state.depth;
        if (event === "open") {
            if (depth <= RECORDED_DEPTH) children[depth] = [];
            if (depth - 1 <= RECORDED_DEPTH && depth > 1) children[depth - 1].push(state.line);
        } else if (depth <= RECORDED_DEPTH && Array.isArray(state.result)) {
            lines.set(state.result, children[depth]);
        }
    };
    let value: unknown;
    try {
        value = load(text, { schema: SCHEMA, maxDepth: MAX_NESTING, listener } as never);
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        return { ok: false, line: e.mark?.line ?? 0, message: syntaxMessage(e) };
    }
    const problem = aliasProblem(value);
    if (problem) return { ok: false, message: problem };
    return { ok: true, value, itemLines: (list) => lines.get(list) };
}

function syntaxMessage(e: YAMLException): string {
    if (/^nesting exceeded maxDepth/.test(e.reason)) return `nested more than ${MAX_NESTING} levels deep; the limit is ${MAX_NESTING}`;
    return `not valid YAML or JSON: ${e.reason}`;
}

/**
 * Reading manifests and flows files from disk: the one place the engine does I/O. YAML or JSON (JSON is YAML),
 * multi-document, `List` kinds unwrapped; every object keeps its file and line for error messages.
 */
import * as fs from "fs";
import * as path from "path";
import { Document, isSeq, LineCounter, parseAllDocuments } from "yaml";
import { FlowSpec } from "./analysis";
import { InputError, Problem, Problems } from "./errors";
import { KubeObject, Source, SourcedObject } from "./types";

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

/** Every manifest file under `paths` (files as given, directories recursively), in a stable order. */
export function manifestFiles(paths: string[]): string[] {
    const problems: Problem[] = [];
    const files: string[] = [];
    const walk = (p: string, explicit: boolean) => {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(p);
        } catch {
            problems.push({ message: `${p}: no such file or directory` });
            return;
        }
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(p).sort()) walk(path.join(p, entry), false);
        } else if (explicit || MANIFEST_EXTENSIONS.includes(path.extname(p).toLowerCase())) {
            files.push(p);
        }
    };
    for (const p of paths) walk(p, true);
    if (problems.length > 0) throw new InputError(problems);
    return files;
}

/** The Kubernetes objects in `paths`. Throws one InputError listing every file that does not parse. */
export function loadManifests(paths: string[]): SourcedObject[] {
    const objects: SourcedObject[] = [];
    const problems: Problem[] = [];
    for (const file of manifestFiles(paths)) {
        for (const { value, line, document, lineCounter } of readDocuments(file, problems)) {
            if (!isObject(value) || typeof value.kind !== "string") continue; // not a Kubernetes object: nothing to analyse
            const sourceAt = (prefix: (string | number)[], fallback: number) => ({
                file,
                line: fallback,
                locate: (path: string) => lineOf(document, [...prefix, ...splitPath(path)], lineCounter),
            });
            if (value.kind === "List" || (value.kind.endsWith("List") && Array.isArray(value.items))) {
                (Array.isArray(value.items) ? value.items : []).forEach((item, i) => {
                    if (isObject(item)) objects.push({ object: item, source: sourceAt(["items", i], lineOf(document, ["items", i], lineCounter) ?? line) });
                });
            } else {
                objects.push({ object: value, source: sourceAt([], line) });
            }
        }
    }
    if (problems.length > 0) throw new InputError(problems);
    return objects;
}

interface ReadDocument {
    value: unknown;
    /** The line the document's content starts on. */
    line: number;
    document: Document;
    lineCounter: LineCounter;
}

/** The documents of a YAML or JSON file with the line each starts on; syntax errors go to `problems`. */
export function readDocuments(file: string, problems: Problem[]): ReadDocument[] {
    const lineCounter = new LineCounter();
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        problems.push({ message: `${file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? (e as Error).message})`}` });
        return [];
    }
    const documents = parseAllDocuments(text, { lineCounter });
    if (!Array.isArray(documents)) return [];
    const result: ReadDocument[] = [];
    for (const document of documents) {
        if (document.errors.length > 0) {
            for (const error of document.errors) {
                const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line;
                // The parser's message repeats the position ("at line 3, column 5:"); ours leads with it already.
                const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
                problems.push({ source: { file, line }, message: `not valid YAML or JSON: ${message}` });
            }
            continue;
        }
        const start = document.contents?.range?.[0] ?? document.range[0];
        result.push({ value: document.toJS(), line: lineCounter.linePos(start).line, document, lineCounter });
    }
    return result;
}

/** "spec.ingress[0].from" -> ["spec", "ingress", 0, "from"] */
function splitPath(path: string): (string | number)[] {
    return path.split(/\.|(?=\[)/).filter(Boolean).map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** The line of the deepest node along `path` that the document has. */
function lineOf(document: Document, path: (string | number)[], lineCounter: LineCounter): number | undefined {
    for (let n = path.length; n >= 0; n--) {
        const node = document.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
}

/** An expected flow from a flows file. */
export interface ExpectedFlow {
    spec: FlowSpec;
    allowed: boolean;
    source: Source;
}

const FLOW_KEYS = ["from", "to", "port", "protocol", "allowed"];

/**
 * A flows file: a YAML or JSON list of `{from, to, port, protocol?, allowed}`. Returns the well-formed items; every
 * malformed one is reported to `problems`, so endpoint typos in the others can be reported in the same run.
 */
export function loadFlows(file: string, problems: Problems): ExpectedFlow[] {
    const documents = readDocuments(file, problems.list);
    if (documents.length === 0 && problems.list.length > 0) return [];
    const items = documents.length === 1 && isSeq(documents[0].document.contents) ? documents[0].document.contents.items : undefined;
    if (!items) {
        problems.at({ file, line: documents[0]?.line ?? 1 }).add("a flows file must be one list of {from, to, port, protocol?, allowed}");
        return [];
    }
    const flows: ExpectedFlow[] = [];
    items.forEach((node, i) => {
        const source = { file, line: documents[0].lineCounter.linePos((node as { range?: [number] }).range?.[0] ?? 0).line };
        const at = problems.at(source);
        const item = (node as { toJSON?: () => unknown }).toJSON?.() ?? node;
        if (!isObject(item)) return at.add("must be a mapping of from, to, port, protocol?, allowed", `[${i}]`);
        const record = item as Record<string, unknown>;
        const unknown = Object.keys(record).filter((k) => !FLOW_KEYS.includes(k));
        unknown.forEach((key) => at.add(`unknown field ${JSON.stringify(key)}; a flow has ${FLOW_KEYS.join(", ")}`, `[${i}]`));
        if (typeof record.allowed !== "boolean") return at.add(`allowed must be true or false, got ${JSON.stringify(record.allowed)}`, `[${i}].allowed`);
        if (unknown.length === 0) flows.push({ spec: { from: record.from, to: record.to, port: record.port, protocol: record.protocol }, allowed: record.allowed, source });
    });
    return flows;
}

function isObject(value: unknown): value is KubeObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

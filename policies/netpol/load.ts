/**
 * Reading manifests from disk: the one place the engine reads files. YAML (multi-document) or JSON, `List` kinds
 * unwrapped, every object remembered with its file and line.
 *
 * Speed matters here (10,000 objects must load in well under a second), so manifests are parsed with js-yaml, which
 * keeps no node positions. Only when a problem needs the line of a field is that one document parsed again with the
 * `yaml` library, which does.
 */
import * as fs from "fs";
import { CORE_SCHEMA, load as loadYaml, YAMLException } from "js-yaml";
import * as path from "path";
import { InputError, Problem } from "./errors";
import { Located, readText, splitPath } from "./text";
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
        const text = readText(file, problems);
        if (text === undefined) continue;
        for (const chunk of splitDocuments(text)) {
            const value = parseChunk(file, chunk, problems);
            if (!isObject(value) || typeof value.kind !== "string") continue; // not a Kubernetes object: nothing to analyse
            const source = chunkSource(file, chunk);
            if (value.kind === "List" || (value.kind.endsWith("List") && Array.isArray(value.items))) {
                (Array.isArray(value.items) ? value.items : []).forEach((item, i) => {
                    if (isObject(item)) objects.push({ object: item, source: source(["items", i]) });
                });
            } else {
                objects.push({ object: value, source: source([]) });
            }
        }
    }
    if (problems.length > 0) throw new InputError(problems);
    return objects;
}

interface Chunk {
    text: string;
    /** 1-based line of the chunk's first line in the file. */
    firstLine: number;
    /** 1-based line of the document's first content line. */
    contentLine: number;
}

/**
 * Splits a YAML stream at its document markers. A line starting with `---` or `...` (then a space or the end of the
 * line) is a marker wherever it appears, even inside a block scalar (YAML 1.2, "c-forbidden"), so a line scan is exact.
 */
export function splitDocuments(text: string): Chunk[] {
    const lines = text.split("\n");
    const chunks: Chunk[] = [];
    let start = 0;
    const close = (end: number) => {
        const body = lines.slice(start, end);
        const content = body.findIndex((l) => !/^\s*(#.*)?$/.test(l) && !/^---\s*(#.*)?$/.test(l));
        if (content >= 0) chunks.push({ text: body.join("\n"), firstLine: start + 1, contentLine: start + content + 1 });
    };
    lines.forEach((line, i) => {
        if (/^---(\s|$)/.test(line)) {
            close(i);
            start = i;
        } else if (/^\.\.\.(\s|$)/.test(line)) {
            close(i);
            start = i + 1;
        }
    });
    close(lines.length);
    return chunks;
}

/** Parses one document (JSON or YAML's JSON-compatible core schema), reporting a syntax error at its line. */
function parseChunk(file: string, chunk: Chunk, problems: Problem[]): unknown {
    try {
        return loadYaml(chunk.text, { schema: CORE_SCHEMA });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        problems.push({ source: { file, line: chunk.firstLine + e.mark.line }, message: `not valid YAML or JSON: ${e.reason}` });
        return undefined;
    }
}

/** The source of an object at `prefix` in the chunk, whose field lines are found (lazily, once) when asked. */
function chunkSource(file: string, chunk: Chunk): (prefix: (string | number)[]) => Source {
    let located: Located | undefined;
    const lineOf = (fieldPath: (string | number)[]) => {
        located ??= new Located(chunk.text);
        const line = located.lineOf(fieldPath);
        return line === undefined ? undefined : chunk.firstLine + line - 1;
    };
    return (prefix) => ({
        file,
        // A List item's line is looked up only if an error needs it: `kubectl get -o yaml` Lists can be huge.
        get line() {
            return prefix.length === 0 ? chunk.contentLine : lineOf(prefix) ?? chunk.contentLine;
        },
        locate: (fieldPath: string) => lineOf([...prefix, ...splitPath(fieldPath)]),
    });
}

function isObject(value: unknown): value is KubeObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reading manifests: the files under the paths given (or standard input for `-`), YAML (multi-document) or JSON, Lists
 * unwrapped, every object remembered with its file and line. Every document becomes objects or a problem: nothing in
 * the input is dropped without a word (objects of kinds netpol does not use are counted in a note by analyze).
 *
 * Speed matters here (10,000 objects must load in well under a second), so manifests are parsed with js-yaml, which
 * keeps no node positions; the line of a field is found only when a message needs it (locate.ts).
 */
import { InputError, Problem, Problems } from "./errors";
import { isMapping, unwrapLists } from "./lists";
import { Chunk, ChunkLocator } from "./locate";
import { parseYaml } from "./parse";
import { readInput, ReadBudget, STDIN_NAME, StdinReader } from "./read";
import { show } from "./show";
import { SourcedObject } from "./types";
import { manifestFiles } from "./walk";

export { manifestFiles } from "./walk";

export interface LoadOptions {
    /** Reads standard input, for the path `-`; tests give their own. */
    stdin?: StdinReader;
}

/**
 * The Kubernetes objects in `paths`. Throws one InputError listing every problem: files that cannot be read or are
 * not UTF-8, documents that do not parse or exceed a limit, malformed Lists, and input with no objects at all.
 */
export function loadManifests(paths: string[], options: LoadOptions = {}): SourcedObject[] {
    const files = manifestFiles(paths);
    const list: Problem[] = [];
    const problems = new Problems(list);
    const budget = new ReadBudget();
    const objects: SourcedObject[] = [];
    let documents = 0;
    for (const file of files) {
        const text = readInput(file, budget, list, options.stdin);
        if (text === undefined) continue;
        const name = file === "-" ? STDIN_NAME : file;
        for (const chunk of splitDocuments(text)) {
            const found = documentObjects(name, chunk, problems);
            if (found === undefined) continue;
            documents++;
            objects.push(...found);
        }
    }
    if (list.length === 0 && documents === 0) throw noManifests(paths, files.length);
    problems.throwIfAny();
    return objects;
}

/** The objects of one document; undefined for an empty one (`~`, or nothing but comments). */
function documentObjects(file: string, chunk: Chunk, problems: Problems): SourcedObject[] | undefined {
    const parsed = parseYaml(chunk.text);
    if (!parsed.ok) {
        problems.at({ file, line: parsed.line === undefined ? chunk.contentLine : chunk.firstLine + parsed.line }).add(parsed.message);
        return [];
    }
    if (parsed.value === null) return undefined;
    if (!isMapping(parsed.value)) {
        const got = Array.isArray(parsed.value) ? "a list" : `the ${typeof parsed.value} ${show(parsed.value)}`;
        problems.at({ file, line: chunk.contentLine }).add(`a manifest is a mapping (a Kubernetes object, with apiVersion and kind), not ${got}`);
        return [];
    }
    const locator = new ChunkLocator(file, chunk, parsed.value, parsed.itemLines);
    const found = unwrapLists(parsed.value, (path) => problems.at(locator.source(path)));
    return found.map(({ object, path }) => ({ object, source: locator.source(path) }));
}

function noManifests(paths: string[], files: number): InputError {
    const named = paths.map((p) => (p === "-" ? STDIN_NAME : p)).join(", ");
    const what = files === 0 ? "no .yaml, .yml or .json files" : `${files === 1 ? "the file holds" : `the ${files} files hold`} no YAML or JSON documents`;
    return new InputError([{ message: `${named}: no manifests: ${what}` }]);
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

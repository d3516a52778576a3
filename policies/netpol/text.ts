/**
 * Reading YAML and JSON text with positions: the shared part of loading manifests (load.ts) and flows files
 * (flowsFile.ts).
 */
import * as fs from "fs";
import { Document, LineCounter, parseDocument } from "yaml";
import { Problem } from "./errors";

/** A file's text, or a problem saying why it cannot be read. */
export function readText(file: string, problems: Problem[]): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        problems.push({ message: `${file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? (e as Error).message})`}` });
        return undefined;
    }
}

/** "spec.ingress[0].from" -> ["spec", "ingress", 0, "from"] */
export function splitPath(path: string): (string | number)[] {
    return path.split(/\.|(?=\[)/).filter(Boolean).map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** A YAML text parsed with node positions, able to tell the line of any field. */
export class Located {
    readonly document: Document;
    private readonly lineCounter = new LineCounter();

    constructor(text: string) {
        this.document = parseDocument(text, { lineCounter: this.lineCounter });
    }

    /** The 1-based line of the deepest node along `path` that the document has. */
    lineOf(path: (string | number)[]): number | undefined {
        for (let n = path.length; n >= 0; n--) {
            const node = this.document.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
            if (node?.range) return this.lineCounter.linePos(node.range[0]).line;
        }
        return undefined;
    }

    /** The 1-based line of a text offset. */
    lineAt(offset: number): number {
        return this.lineCounter.linePos(offset).line;
    }
}

/**
 * Where an object and its fields are, for messages: the line of a document, of a List's item, and of a field inside
 * either.
 *
 * Item lines come from the fast parse (parse.ts records them). A field's line needs a parser that keeps positions
 * (the `yaml` library, several times slower than js-yaml), so it is found only when a message needs it, by parsing the
 * smallest text that holds the field: the object's own lines for an item of a List, the document otherwise. Text too
 * large to reparse quickly (a hostile 100 MB document) gives the object's line instead.
 */
import { Located, splitPath } from "./text";
import { Source } from "./types";

/** Documents over this many characters are not reparsed to find a field's line. */
const MAX_LOCATE_CHARS = 4 * 1024 * 1024;

export interface Chunk {
    text: string;
    /** 1-based line of the chunk's first line in the file. */
    firstLine: number;
    /** 1-based line of the document's first content line. */
    contentLine: number;
}

/** A List item's 0-based line in the chunk, the next item's, and the path from the item to the object. */
interface Item {
    line: number;
    next?: number;
    rest: (string | number)[];
}

/** Sources for the objects of one document. */
export class ChunkLocator {
    private lines?: string[];
    private located?: Located | null;

    constructor(
        private readonly file: string,
        private readonly chunk: Chunk,
        private readonly root: unknown,
        private readonly itemLines: (path: (string | number)[]) => number[] | undefined,
    ) {}

    /** The source of the object at `path` in the document (`[]` for the document itself, `["items", 3]` for an item). */
    source(path: (string | number)[]): Source {
        // Lines are looked up only when a message asks: finding an item's line means parsing its document again.
        const item = () => (path.length === 0 ? undefined : this.itemAt(path));
        const chunk = this.chunk;
        return {
            file: this.file,
            get line() {
                const found = item();
                return found === undefined ? chunk.contentLine : chunk.firstLine + found.line;
            },
            locate: (field: string) => this.fieldLine(path, item(), splitPath(field)),
        };
    }

    /**
     * The 0-based lines (within the chunk) of the innermost List item along `path` and of the item after it, if the
     * parse recorded them.
     */
    private itemAt(path: (string | number)[]): Item | undefined {
        let node = this.root;
        let found: Item | undefined;
        for (const [i, step] of path.entries()) {
            if (typeof step === "number" && Array.isArray(node)) {
                const lines = this.itemLines(path.slice(0, i));
                if (lines?.[step] !== undefined) found = { line: lines[step], next: lines[step + 1], rest: path.slice(i + 1) };
            }
            node = (node as Record<string | number, unknown> | undefined)?.[step];
        }
        return found;
    }

    private fieldLine(path: (string | number)[], item: Item | undefined, field: (string | number)[]): number | undefined {
        if (item !== undefined) {
            const line = this.lineInItem(item, [...item.rest, ...field]);
            if (line !== undefined) return line;
        }
        const located = this.wholeDocument();
        const line = located?.lineOf([...path, ...field]);
        return line === undefined ? undefined : this.chunk.firstLine + line - 1;
    }

    /**
     * The field's line from the item's own text: in block style, from its `-` to the next line indented no deeper
     * (the next item, or the List's next key); in flow style (JSON), up to the next item's first line, less the comma.
     */
    private lineInItem(item: Item, field: (string | number)[]): number | undefined {
        this.lines ??= this.chunk.text.split("\n");
        const dash = /^(\s*)-(\s|$)/.exec(this.lines[item.line]);
        let end = item.line + 1;
        if (dash) {
            while (end < this.lines.length && !endsItem(this.lines[end], dash[1].length)) end++;
        } else {
            if (item.next === undefined || item.next <= item.line) return undefined; // the last item of a flow list runs into the list's end
            end = item.next;
        }
        const text = this.lines.slice(item.line, end).join("\n").replace(/,\s*$/, "");
        if (text.length > MAX_LOCATE_CHARS) return undefined;
        const located = new Located(text);
        if (located.document.errors.length > 0) return undefined;
        const line = located.lineOf(dash ? [0, ...field] : field);
        return line === undefined ? undefined : this.chunk.firstLine + item.line + line - 1;
    }

    private wholeDocument(): Located | undefined {
        if (this.located === undefined) this.located = this.chunk.text.length > MAX_LOCATE_CHARS ? null : new Located(this.chunk.text);
        return this.located ?? undefined;
    }
}

/** A line that ends a block-style item begun with a `-` at `indent`: content indented no deeper. */
function endsItem(line: string, indent: number): boolean {
    const content = /^(\s*)([^\s#])/.exec(line);
    return content !== null && content[1].length <= indent;
}

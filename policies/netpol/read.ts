/**
 * Reading input text: files and standard input, as UTF-8 only, within `MAX_INPUT_BYTES` for the whole run.
 *
 * Kubernetes reads manifests as UTF-8. Node's usual decoding turns every invalid byte into U+FFFD, so two labels with
 * different invalid bytes would compare equal; invalid bytes are refused instead, at their line.
 */
import * as fs from "fs";
import { Problem } from "./errors";
import { MAX_INPUT_BYTES } from "./limits";

/** How standard input is named in messages and Sources. */
export const STDIN_NAME = "<stdin>";

/** Counts the bytes read in one run, so that many files together stay within the bound too. */
export class ReadBudget {
    used = 0;
}

/** Reads standard input whole; replaceable in tests. */
export type StdinReader = (maxBytes: number) => Buffer;

/** Reads at most `maxBytes + 1` bytes of standard input (one more than allowed tells that it is too long). */
export function readStdin(maxBytes: number): Buffer {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
        let n: number;
        try {
            n = fs.readSync(0, chunk, 0, chunk.length, null);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === "EAGAIN") continue; // a non-blocking stdin with nothing yet: wait for it
            if (code === "EOF") break;
            throw e;
        }
        if (n === 0) break;
        chunks.push(Buffer.from(chunk.subarray(0, n)));
        total += n;
        if (total > maxBytes) break;
    }
    return Buffer.concat(chunks);
}

/**
 * The text of `file` (or standard input for `-`), or undefined with a problem saying why not: missing, not a regular
 * file, over the byte budget, or not UTF-8.
 */
export function readInput(file: string, budget: ReadBudget, problems: Problem[], stdin: StdinReader = readStdin): string | undefined {
    const name = file === "-" ? STDIN_NAME : file;
    const room = MAX_INPUT_BYTES - budget.used;
    let bytes: Buffer;
    try {
        if (file === "-") {
            bytes = stdin(room);
        } else {
            const stat = fs.statSync(file);
            // A device or a FIFO may never end (/dev/zero): only regular files are read, and stdin through `-`.
            if (!stat.isFile()) {
                problems.push({ message: `${name}: not a regular file; give files or directories (or - for standard input)` });
                return undefined;
            }
            if (stat.size > room) return tooLarge(name, problems);
            bytes = fs.readFileSync(file);
        }
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        problems.push({ message: `${name}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? (e as Error).message})`}` });
        return undefined;
    }
    if (bytes.length > room) return tooLarge(name, problems);
    budget.used += bytes.length;
    return decodeUtf8(bytes, name, problems);
}

function tooLarge(name: string, problems: Problem[]): undefined {
    problems.push({ message: `${name}: over the limit of ${MAX_INPUT_BYTES / 2 ** 20} MiB of input (manifests together, or a flows file); give fewer files, or one namespace's manifests at a time` });
    return undefined;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as text (a leading byte order mark dropped), or undefined with a problem at the line of the first bad byte. */
export function decodeUtf8(bytes: Buffer, name: string, problems: Problem[]): string | undefined {
    try {
        return UTF8.decode(bytes);
    } catch {
        const offset = firstInvalidByte(bytes);
        const line = countLines(bytes, offset);
        const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
        const hint = utf16 ? "it is UTF-16: convert it to UTF-8" : "Kubernetes reads manifests as UTF-8: re-save it as UTF-8";
        problems.push({ source: { file: name, line }, message: `not UTF-8: byte 0x${bytes[offset].toString(16).padStart(2, "0")} at offset ${offset}; ${hint}` });
        return undefined;
    }
}

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence (RFC 3629). */
export function firstInvalidByte(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
        const b = bytes[i];
        const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
        if (length === 0) return i;
        if (length > 1) {
            // The second byte's range is narrower after E0, ED, F0 and F4: no overlong forms, surrogates or values past U+10FFFF.
            const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
            const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
            if (i + 1 >= bytes.length || bytes[i + 1] < low || bytes[i + 1] > high) return i;
            for (let k = 2; k < length; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
        }
        i += length;
    }
    return bytes.length;
}

function countLines(bytes: Uint8Array, end: number): number {
    let line = 1;
    for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
    return line;
}

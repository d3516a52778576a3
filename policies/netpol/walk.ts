/**
 * The manifest files under the paths a user gives: files as given, directories searched recursively for .yaml, .yml
 * and .json files, in a stable order.
 *
 * Symbolic links are followed (a manifests folder is often a link), but each directory and file is read once, however
 * many links reach it: a directory reached again through links is skipped, and a link that leads back into a
 * directory being walked (a loop, which would never end) is an error naming the link.
 */
import * as fs from "fs";
import * as path from "path";
import { InputError, Problem } from "./errors";

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

/** Every manifest file under `paths`; `-` (standard input) is kept as given, in its place. */
export function manifestFiles(paths: string[]): string[] {
    const problems: Problem[] = [];
    const files: string[] = [];
    const seen = new Set<string>();
    /** Real paths of the directories being walked, from the outermost in. */
    const walking: string[] = [];

    const walk = (p: string, explicit: boolean) => {
        let real: string;
        let stat: fs.Stats;
        try {
            real = fs.realpathSync(p);
            stat = fs.statSync(real);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === "ELOOP") problems.push({ message: `${p}: a loop of symbolic links that never reaches a file or directory` });
            else problems.push({ message: code === "ENOENT" ? `${p}: no such file or directory` : `${p}: cannot read (${code ?? (e as Error).message})` });
            return;
        }
        if (stat.isDirectory()) {
            if (walking.includes(real)) {
                problems.push({ message: `${p}: a symbolic link back to ${real}, which contains it: a loop; remove the link or give the files it should add` });
                return;
            }
            if (seen.has(real)) return; // reached before through another link: its files are in already
            seen.add(real);
            walking.push(real);
            for (const entry of readdir(p, problems)) walk(path.join(p, entry), false);
            walking.pop();
        } else if (explicit || MANIFEST_EXTENSIONS.includes(path.extname(p).toLowerCase())) {
            if (seen.has(real)) return; // the same file named twice, or through a link
            seen.add(real);
            files.push(p);
        }
    };
    for (const p of paths) {
        if (p === "-") files.push(p);
        else walk(p, true);
    }
    if (problems.length > 0) throw new InputError(problems);
    return files;
}

function readdir(dir: string, problems: Problem[]): string[] {
    try {
        return fs.readdirSync(dir).sort();
    } catch (e) {
        problems.push({ message: `${dir}: cannot list (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
        return [];
    }
}

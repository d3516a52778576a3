#!/usr/bin/env node
/**
 * Runs one of this project's TypeScript commands (`node bin/run.js bin/netpol.ts <args>`) without transpiling it on
 * every run. `ts-node` spends about a second loading TypeScript and transpiling before the command starts; here each
 * .ts file is transpiled once and the JavaScript kept in node_modules/.cache/ts-run, under a hash of everything the
 * output depends on: the file's path and text, TypeScript's version and tsconfig.json. A changed source hashes to a
 * new entry, so the cache can never serve stale code, and there is no build step to forget. TypeScript itself is
 * loaded only when an entry is missing.
 *
 * Like `ts-node --transpile-only`, this does not type-check (`npm test` does). Stack traces point at the .ts lines,
 * through inline source maps.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "ts-run");
const TSCONFIG = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
const TS_VERSION = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [ROOT] }), "utf8")).version;

let typescript;
let compilerOptions;

/** Transpiles one file as `ts-node --transpile-only` would, with tsconfig.json's options. */
function transpile(source, fileName) {
    typescript ??= require(require.resolve("typescript", { paths: [ROOT] }));
    if (!compilerOptions) {
        const config = typescript.parseConfigFileTextToJson("tsconfig.json", TSCONFIG).config;
        compilerOptions = typescript.convertCompilerOptionsFromJson(config.compilerOptions, ROOT).options;
        Object.assign(compilerOptions, { noEmit: false, sourceMap: false, inlineSourceMap: true, inlineSources: true, declaration: false });
    }
    return typescript.transpileModule(source, { compilerOptions, fileName }).outputText;
}

/** Writes `text` to `file` whole or not at all, so that two runs at once never read half an entry. */
function writeAtomically(file, text) {
    const temporary = `${file}.${process.pid}.tmp`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, file);
    } catch {
        fs.rmSync(temporary, { force: true }); // no cache (a read-only tree): correct, only slower
    }
}

function compiled(fileName) {
    const source = fs.readFileSync(fileName, "utf8");
    const key = crypto.createHash("sha256").update(`${TS_VERSION}\0${TSCONFIG}\0${fileName}\0${source}`).digest("hex");
    const entry = path.join(CACHE, `${key}.js`);
    try {
        return fs.readFileSync(entry, "utf8");
    } catch {
        const output = transpile(source, fileName);
        writeAtomically(entry, output);
        return output;
    }
}

require.extensions[".ts"] = (module, fileName) => module._compile(compiled(fileName), fileName);
process.setSourceMapsEnabled(true);

const [script, ...args] = process.argv.slice(2);
if (!script) {
    process.stderr.write("usage: node bin/run.js <script.ts> [arguments]\n");
    process.exit(2);
}
// The script runs as the main module (its `require.main === module` holds), with its own arguments.
process.argv = [process.argv[0], path.resolve(script), ...args];
Module.runMain();

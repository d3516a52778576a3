/**
 * One source of truth for settings: config.ts. Pulumi.yaml's config block, the README's table and the dev stack must
 * agree with it, and the toolchain pins the README promises must hold.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseSettings, settingKeys, settingSpecs } from "../config";
import { EKS_KUBERNETES_VERSIONS } from "../configRules";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("Pulumi.yaml declares exactly the keys config.ts declares", () => {
    const project = parse(read("Pulumi.yaml"));

    it("names the project and runs ts-node without type-checking", () => {
        assert.strictEqual(project.name, "eks-netpol-lab");
        assert.deepStrictEqual(project.runtime, {
            name: "nodejs",
            options: { typescript: false, nodeargs: "--require ts-node/register/transpile-only", packagemanager: "npm" },
        });
    });

    it("lists the same keys in the same order", () => {
        assert.deepStrictEqual(Object.keys(project.config), settingKeys());
    });

    for (const key of settingKeys()) {
        it(`declares ${key} with the spec's type, description and default`, () => {
            const spec = settingSpecs[key];
            const expected: Record<string, unknown> = { type: spec.type, description: spec.description, default: spec.default };
            if (spec.items) expected.items = { type: spec.items };
            assert.deepStrictEqual(project.config[key], expected);
        });
    }
});

describe("the README's config table matches config.ts", () => {
    /** Rows of the config table (the one headed Key, Type, Default, Description): key -> [type, default, description]. */
    function readmeRows(): Map<string, string[]> {
        const rows = new Map<string, string[]>();
        const readme = read("README.md");
        const start = readme.indexOf("| Key | Type | Default | Description |");
        assert.ok(start >= 0, "the README has a config table");
        for (const line of readme.slice(start, readme.indexOf("\n\n", start)).split("\n")) {
            const match = /^\| `([^`]+)` \| (.*) \|$/.exec(line);
            if (match) rows.set(match[1], match[2].split(" | "));
        }
        return rows;
    }

    it("documents every key, and only those, in declaration order", () => {
        assert.deepStrictEqual([...readmeRows().keys()], settingKeys());
    });

    for (const key of settingKeys()) {
        it(`documents ${key} with the spec's type, default and description`, () => {
            const spec = settingSpecs[key];
            assert.deepStrictEqual(readmeRows().get(key), [spec.type, `\`${JSON.stringify(spec.default)}\``, spec.description]);
        });
    }
});

describe("the README's Kubernetes versions match EKS_KUBERNETES_VERSIONS", () => {
    it("lists each known version with the end of its standard support, in order", () => {
        const paragraph = /`kubernetesVersion` is one of the versions this project knows[\s\S]*?add it to\s+that table/.exec(read("README.md"))?.[0] ?? "";
        const listed = [...paragraph.matchAll(/(1\.\d+)\s+\((?:standard\s+support\s+)?until\s+(?:about\s+)?(\d{4}-\d{2}(?:-\d{2})?)\)/g)].map((m) => ({ version: m[1], endOfStandardSupport: m[2] }));
        assert.deepStrictEqual(listed, EKS_KUBERNETES_VERSIONS);
    });
});

describe("the dev stack", () => {
    it("is valid configuration", () => {
        const stack = parse(read("Pulumi.dev.yaml"));
        // Pulumi hands every value to the program as a string; structured values as JSON.
        const config: Record<string, string> = {};
        for (const [key, value] of Object.entries<unknown>(stack.config)) config[key] = typeof value === "string" ? value : JSON.stringify(value);
        const settings = parseSettings({ project: "eks-netpol-lab", config, secretKeys: new Set(), env: {} });
        assert.strictEqual(settings.region, "us-west-2");
    });
});

describe("toolchain", () => {
    const pkg = JSON.parse(read("package.json"));

    it("CI runs exactly the README's test command", () => {
        const readmeCommand = /Run the tests[^\n]*\n\n```sh\n(.+)\n```/.exec(read("README.md"))?.[1];
        assert.strictEqual(readmeCommand, "npm ci && npm test");
        const ciCommands = read(".ci/run").split("\n").filter((l) => l.trim() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "));
        assert.deepStrictEqual(ciCommands, [readmeCommand]);
    });

    it("pins @pulumi/pulumi to the last release for Node 20, and TypeScript to 5.9", () => {
        assert.match(pkg.dependencies["@pulumi/pulumi"], /^3\.248\.\d+$/);
        assert.match(pkg.devDependencies.typescript, /^~?5\.9\.\d+$/);
    });

    it("installs exactly one copy of @pulumi/pulumi, so the mocks are the ones the program sees", () => {
        const nested = ["@pulumi/aws", "@pulumi/eks", "@pulumi/kubernetes"]
            .map((dep) => path.join(ROOT, "node_modules", dep, "node_modules", "@pulumi", "pulumi"))
            .filter((dir) => fs.existsSync(dir));
        assert.deepStrictEqual(nested, []);
    });
});

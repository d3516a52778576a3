/**
 * The deployments stack's settings: declared once (deployments/settingSpecs.ts), declared the same in
 * deployments/Pulumi.yaml, and validated all at once with a fix for each problem.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DeploymentsSettingsError, deploymentsSettingKeys, deploymentsSettingSpecs, parseDeploymentsSettings, PROJECT, RawDeploymentsConfig } from "../../deployments/config";

const DIR = path.resolve(__dirname, "..", "..", "deployments");
const FIX_LINE = "Fix each with `npm run deployments -- config set <key> <value>` (lists: `npm run deployments -- config set --path '<key>[0]' <value>`), then run again.";
const DEV = "config:\n  aws:region: us-west-2\n";

/** A valid stack's raw config plus `overrides` (bare keys are the project's), with the dev stack file. */
function raw(overrides: Record<string, string | undefined> = {}, stackFiles: Record<string, string | undefined> = { dev: DEV }, secret: string[] = []): RawDeploymentsConfig {
    const config: Record<string, string> = {
        "aws:region": "us-west-2",
        [`${PROJECT}:organization`]: "acme",
        [`${PROJECT}:repository`]: "acme/eks-netpol-lab",
        [`${PROJECT}:githubOwnerId`]: "1234567",
        [`${PROJECT}:githubRepositoryId`]: "890123456",
    };
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value === undefined) delete config[full];
        else config[full] = value;
    }
    return { config, secretKeys: new Set(secret.map((k) => `${PROJECT}:${k}`)), stackFiles };
}

function problemsOf(input: RawDeploymentsConfig): string[] {
    try {
        parseDeploymentsSettings(input);
    } catch (e) {
        assert.ok(e instanceof DeploymentsSettingsError, String(e));
        return e.problems;
    }
    assert.fail("expected the configuration to be rejected");
}

describe("deployments/Pulumi.yaml declares exactly the keys settingSpecs.ts declares", () => {
    const project = parse(fs.readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8"));

    it("names the project, runs index.ts through ts-node without type-checking", () => {
        assert.strictEqual(project.name, PROJECT);
        assert.strictEqual(project.main, "index.ts");
        assert.deepStrictEqual(project.runtime, { name: "nodejs", options: { typescript: false, nodeargs: "--require ts-node/register/transpile-only", packagemanager: "npm" } });
    });

    it("declares every key with the spec's type, description and default, in order; required keys have none", () => {
        assert.deepStrictEqual(Object.keys(project.config), deploymentsSettingKeys());
        for (const key of deploymentsSettingKeys()) {
            const spec = deploymentsSettingSpecs[key];
            const expected: Record<string, unknown> = { type: spec.type, ...(spec.items ? { items: { type: spec.items } } : {}), description: spec.description };
            if (spec.default !== undefined) expected.default = spec.default;
            assert.deepStrictEqual(project.config[key], expected, key);
        }
    });
});

describe("parseDeploymentsSettings", () => {
    it("fills in the defaults and reads each lab stack's region and cluster from its stack file", () => {
        const s = parseDeploymentsSettings(raw());
        assert.deepStrictEqual(s, {
            organization: "acme",
            repository: "acme/eks-netpol-lab",
            githubOwnerId: 1234567,
            githubRepositoryId: 890123456,
            branch: "main",
            labStacks: [{ name: "dev", region: "us-west-2", clusterName: "eks-netpol-lab-dev", cluster: "created" }],
            labTtlHours: 8,
            driftCron: "0 6 * * *",
            previewPullRequests: false,
            reviewStacks: false,
            githubEnvironment: "",
            pulumiOidcProviderArn: "",
            githubOidcProviderArn: "",
            reviewTemplate: undefined,
            partition: "aws",
        });
    });

    it("uses a stack's existingClusterName for its cluster, marking the stack as one on an existing cluster, and the stacks' partition", () => {
        const s = parseDeploymentsSettings(raw({ labStacks: '["cn"]' }, { cn: "config:\n  aws:region: cn-north-1\n  eks-netpol-lab:existingClusterName: team\n" }));
        assert.deepStrictEqual([s.labStacks, s.partition], [[{ name: "cn", region: "cn-north-1", clusterName: "team", cluster: "existing" }], "aws-cn"]);
    });

    it("adds the review-stack template, from Pulumi.pr.yaml, when review stacks are on", () => {
        const s = parseDeploymentsSettings(raw({ reviewStacks: "true" }, { dev: DEV, pr: "config:\n  aws:region: eu-west-1\n" }));
        assert.deepStrictEqual(s.reviewTemplate, { name: "pr", region: "eu-west-1", clusterName: "eks-netpol-lab-pr", cluster: "created" });
    });

    it("reports every problem at once, each with its fix", () => {
        const problems = problemsOf(raw(
            { organization: undefined, repository: "https://github.com/acme/lab.git", labTtlHours: "0", labStack: '["dev"]', "eks-netpol-lab-deploymens:branch": "main", labStacks: '["dev","prod"]' },
            { dev: DEV },
        ));
        assert.deepStrictEqual(problems, [
            'eks-netpol-lab-deploymens:branch: nothing reads the namespace "eks-netpol-lab-deploymens", so this key would be ignored; did you mean "eks-netpol-lab-deployments:branch"? Remove it with `npm run deployments -- config rm eks-netpol-lab-deploymens:branch`',
            'labStack: not a setting of eks-netpol-lab-deployments; did you mean "labStacks"? Settings are: organization, repository, githubOwnerId, githubRepositoryId, branch, labStacks, labTtlHours, driftCron, previewPullRequests, reviewStacks, githubEnvironment, pulumiOidcProviderArn, githubOidcProviderArn. Remove it with `npm run deployments -- config rm labStack`',
            "organization: not set, and there is no default (Pulumi Cloud organization that owns the lab's stacks, in lowercase: the audience of Deployments OIDC tokens); set it with `npm run deployments -- config set organization <your-org>`",
            'repository: "https://github.com/acme/lab.git" is not a GitHub repository; use owner/name, e.g. "octo-org/eks-netpol-lab"; did you mean "acme/lab"?',
            'labTtlHours: "0" is not a whole number of hours from 1 to 168',
            'labStacks[1]: "prod" has no Pulumi.prod.yaml at the repository root; create the stack (`npm run pulumi -- stack init prod`, then set aws:region) or remove it',
        ]);
    });

    const single: [string, Record<string, string>, Record<string, string | undefined>, string][] = [
        ["an organization in capitals", { organization: "Acme" }, { dev: DEV }, 'organization: "Acme" is not a Pulumi organization name (lowercase letters, digits, ".", "_" and "-"); did you mean "acme"? Deployments OIDC tokens carry it in lowercase'],
        ["a GitHub id that is not a number", { githubOwnerId: "acme" }, { dev: DEV }, "githubOwnerId: \"acme\" is not a GitHub id; it is a whole number: `gh api repos/OWNER/REPO --jq '.owner.id, .id'` prints the owner's and the repository's"],
        ["a branch given as a ref", { branch: "refs/heads/main" }, { dev: DEV }, 'branch: "refs/heads/main" is not a branch name; give the name alone: "main"'],
        ["a qualified stack name", { labStacks: '["acme/eks-netpol-lab/dev"]' }, { dev: DEV }, 'labStacks[0]: "acme/eks-netpol-lab/dev" is not a stack name (letters, digits, "-", "_" and "."); name the stack alone, not org/project/stack'],
        ["a cron with six fields", { driftCron: "0 0 6 * * *" }, { dev: DEV }, 'driftCron: "0 0 6 * * *" is not a five-field cron expression (minute hour day month weekday), e.g. "0 6 * * *" for 06:00 UTC daily'],
        ["an OIDC provider for another issuer", { pulumiOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, { dev: DEV }, 'pulumiOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" is not the ARN of an IAM OIDC provider for api.pulumi.com/oidc; it looks like "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc" (`aws iam list-open-id-connect-providers`), or leave it empty to create one'],
        ["a stack file without a region", {}, { dev: "config: {}\n" }, "labStacks[0]: Pulumi.dev.yaml sets no AWS region; set it with `npm run pulumi -- --stack dev config set aws:region us-west-2`"],
        ["review stacks without their template", { reviewStacks: "true" }, { dev: DEV }, 'reviewStacks: "pr" has no Pulumi.pr.yaml at the repository root; create the stack (`npm run pulumi -- stack init pr`, then set aws:region) or remove it'],
        ["stacks in two partitions", { labStacks: '["dev","cn"]' }, { dev: DEV, cn: "config:\n  aws:region: cn-north-1\n" }, 'labStacks: the stacks\' regions are in several AWS partitions ("aws", "aws-cn"); one deploy role serves one partition, so use one deployments stack per partition'],
    ];
    for (const [name, overrides, files, problem] of single) {
        it(`rejects ${name}`, () => assert.deepStrictEqual(problemsOf(raw(overrides, files)), [problem]));
    }

    it("rejects a key stored as a secret, and formats the message as pulumi up prints it", () => {
        assert.throws(() => parseDeploymentsSettings(raw({}, { dev: DEV }, ["organization"])), (e: Error) => {
            assert.strictEqual(e.message, [
                "Invalid deployments stack configuration (1 problem):",
                "  - organization: is stored as a secret, but it is not one; set it in plain text: `npm run deployments -- config set organization <value>`",
                FIX_LINE,
            ].join("\n"));
            return true;
        });
    });
});

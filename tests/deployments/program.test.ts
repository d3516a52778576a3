/**
 * The deployments program (deployments/index.ts) under the shared mocks, as project eks-netpol-lab-deployments:
 * what `pulumi up` of its stack would register, and the IAM documents it would give AWS.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RecordedResource } from "../../bin/offlineProgram";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { LAB_PROJECT, LabStack } from "../../deployments/config";
import { deployRolePermissions } from "../../deployments/deployPermissions";
import { deploymentsStackConfig, OFFLINE_CLOCK_START, runDeployments } from "../../deployments/offline";
import { main as planDeployments } from "../../deployments/plan";
import { EXECUTOR_IMAGE } from "../../deployments/settingsArgs";
import { promiseOf } from "../mocks";

const T = {
    settings: "pulumiservice:index:DeploymentSettings",
    ttl: "pulumiservice:index:TtlSchedule",
    drift: "pulumiservice:index:DriftSchedule",
    clock: "pulumi-nodejs:dynamic/eks-netpol-lab-deployments:TtlClock",
    provider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};
const ACCOUNT = "123456789012";
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/eks-netpol-lab-deploy`;

const CI = deploymentsStackConfig("ci");
const config = (overrides: Record<string, string> = {}) => ({ ...CI, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [`eks-netpol-lab-deployments:${k}`, v])) });

function one(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `${type} ${name}: found ${found.length} among ${run.resources.map((r) => r.name).join(", ")}`);
    return found[0];
}

const trustOf = (run: ProgramRun, name: string) => JSON.parse(one(run, T.role, name).inputs.assumeRolePolicy);
const permissionsOf = (run: ProgramRun, name: string) => JSON.parse(one(run, T.rolePolicy, name).inputs.policy);

describe("deployments program: the ci stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runDeployments(config());
        assert.strictEqual(run.error, undefined, run.error?.stack);
    });

    it("registers the roles, their OIDC providers, and per lab stack its settings, TTL clock, TTL and drift schedule", () => {
        assert.deepStrictEqual(run.resources.map((r) => `${r.type} ${r.name} < ${r.options.parent}`).sort(), [
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider deploy-provider < deploy",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider github-actions-provider < github-actions",
            "aws:iam/role:Role deploy-role < deploy",
            "aws:iam/role:Role github-actions-role < github-actions",
            "aws:iam/rolePolicy:RolePolicy deploy-permissions < deploy",
            "aws:iam/rolePolicy:RolePolicy github-actions-permissions < github-actions",
            "eks-netpol-lab-deployments:aws:OidcRole deploy < (stack)",
            "eks-netpol-lab-deployments:aws:OidcRole github-actions < (stack)",
            "eks-netpol-lab-deployments:deployments:LabDeployments dev < (stack)",
            "pulumi-nodejs:dynamic/eks-netpol-lab-deployments:TtlClock dev-ttl-clock < dev",
            "pulumiservice:index:DeploymentSettings dev-settings < dev",
            "pulumiservice:index:DriftSchedule dev-drift < dev",
            "pulumiservice:index:TtlSchedule dev-ttl < dev",
        ]);
    });

    it("sets up the dev stack's Deployments: source, vcs (no deploys on push), OIDC, npm ci and a pinned image", () => {
        const { inputs } = one(run, T.settings, "dev-settings");
        assert.strictEqual(inputs.github, undefined, "the deprecated github block is not used");
        assert.deepStrictEqual(inputs, {
            organization: "example-org",
            project: "eks-netpol-lab",
            stack: "dev",
            sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
            vcs: {
                provider: "github",
                repository: "example-org/eks-netpol-lab",
                deployCommits: false,
                previewPullRequests: false,
                pullRequestTemplate: false,
                paths: ["*.ts", "components/**", "policies/**", "Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json", "Pulumi.dev.yaml"],
            },
            operationContext: {
                preRunCommands: ["npm ci --no-audit --no-fund"],
                options: { skipInstallDependencies: true, skipIntermediateDeployments: true, deleteAfterDestroy: false },
                oidc: { aws: { roleARN: DEPLOY_ROLE, sessionName: "eks-netpol-lab-dev", duration: "3h0m0s" } },
            },
            executorContext: { executorImage: EXECUTOR_IMAGE },
        });
        // The full image: the lab's kubeconfig runs `aws eks get-token`, and the slim pulumi-nodejs-* images have no AWS CLI.
        assert.strictEqual(EXECUTOR_IMAGE, "pulumi/pulumi:3.259.0");
    });

    it("runs the lab on the image's Node.js 26, which package.json's engines allow, as settingsArgs.ts says they do", () => {
        const root = path.resolve(__dirname, "..", "..");
        const engines: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines.node;
        const [major, minor] = engines.replace(/^>=/, "").split(".").map(Number);
        assert.ok(engines.startsWith(">=") && (26 > major || (26 === major && minor === 0)), engines);
        assert.ok(fs.readFileSync(path.join(root, "deployments", "settingsArgs.ts"), "utf8").includes(`engines (${engines})`), "settingsArgs.ts cites package.json's engines");
    });

    it("creates the schedules after the settings: the service refuses schedules on a stack without them", () => {
        assert.deepStrictEqual(one(run, T.ttl, "dev-ttl").options.dependsOn, ["dev-settings"]);
        assert.deepStrictEqual(one(run, T.drift, "dev-drift").options.dependsOn, ["dev-settings"]);
    });

    it("destroys the lab 8 hours after its TTL clock starts, keeping the stack; detects drift daily, never remediates", () => {
        assert.deepStrictEqual(one(run, T.ttl, "dev-ttl").inputs, { organization: "example-org", project: "eks-netpol-lab", stack: "dev", timestamp: "2030-01-01T08:00:00Z", deleteAfterDestroy: false });
        assert.strictEqual(OFFLINE_CLOCK_START.toISOString(), "2030-01-01T00:00:00.000Z");
        assert.deepStrictEqual(one(run, T.drift, "dev-drift").inputs, { organization: "example-org", project: "eks-netpol-lab", stack: "dev", scheduleCron: "0 6 * * *", autoRemediate: false });
    });

    it("trusts the deploy role to Deployments of the organization, for this project's stacks only", () => {
        assert.deepStrictEqual(trustOf(run, "deploy-role"), {
            Version: "2012-10-17",
            Statement: [{
                Sid: "PulumiDeploymentsOfTheLabStacks",
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc` },
                Action: ["sts:AssumeRoleWithWebIdentity"],
                Condition: {
                    StringEquals: { "api.pulumi.com/oidc:aud": "example-org" },
                    StringLike: { "api.pulumi.com/oidc:sub": ["pulumi:deploy:org:example-org:project:eks-netpol-lab:stack:dev:operation:*:scope:write"] },
                },
            }],
        });
        assert.deepStrictEqual(one(run, T.provider, "deploy-provider").inputs, { url: "https://api.pulumi.com/oidc", clientIdLists: ["example-org"] });
        assert.strictEqual(one(run, T.role, "deploy-role").inputs.maxSessionDuration, 3 * 3600);
    });

    it("trusts the GitHub Actions role to the repository on main, in both subject forms", () => {
        assert.deepStrictEqual(trustOf(run, "github-actions-role").Statement[0].Condition, {
            StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": ["repo:example-org/eks-netpol-lab:ref:refs/heads/main", "repo:example-org@1234567/eks-netpol-lab@890123456:ref:refs/heads/main"],
            },
        });
        assert.deepStrictEqual(permissionsOf(run, "github-actions-permissions").Statement, [
            { Sid: "FindLabClusters", Effect: "Allow", Action: ["eks:DescribeCluster"], Resource: [`arn:aws:eks:us-west-2:${ACCOUNT}:cluster/eks-netpol-lab-dev`] },
        ]);
    });

    it("exports both roles' and providers' ARNs, the lab stacks and when each TTL expires", async () => {
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(run.exports ?? {})) outputs[key] = pulumi.Output.isInstance(value) ? await promiseOf(value) : value;
        assert.deepStrictEqual(outputs, {
            deployRoleArn: DEPLOY_ROLE,
            githubActionsRoleArn: `arn:aws:iam::${ACCOUNT}:role/eks-netpol-lab-github-actions`,
            pulumiOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`,
            githubOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
            labStacks: ["dev"],
            labTtlExpiresAt: { dev: "2030-01-01T08:00:00Z" },
            labTtlClockUrns: { dev: "urn:pulumi:ci::eks-netpol-lab-deployments::eks-netpol-lab-deployments:deployments:LabDeployments$pulumi-nodejs:dynamic/eks-netpol-lab-deployments:TtlClock::dev-ttl-clock" },
        });
    });

    describe("the deploy role's permissions", () => {
        // What each statement grants, per kind of stack, is tests/deployments/permissions.test.ts; here, that the
        // program hands the role exactly that, for the ci stack's lab stacks.
        it("are deployRolePermissions of the lab stacks, in the deployments stack's account", () => {
            const dev: LabStack = { name: "dev", region: "us-west-2", clusterName: "eks-netpol-lab-dev", cluster: "created" };
            assert.deepStrictEqual(permissionsOf(run, "deploy-permissions"), deployRolePermissions({ partition: "aws", accountId: ACCOUNT, stacks: [dev] }));
        });

        it("fit in an inline role policy (IAM allows 10,240 characters)", () => {
            assert.ok(one(run, T.rolePolicy, "deploy-permissions").inputs.policy.length < 10240);
        });
    });
});

describe("deployments program: options", () => {
    it("reuses existing OIDC providers by ARN, creating none", async () => {
        const pulumiArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
        const githubArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
        const run = await runDeployments(config({ pulumiOidcProviderArn: pulumiArn, githubOidcProviderArn: githubArn }));
        assert.strictEqual(run.error, undefined);
        assert.deepStrictEqual(run.resources.filter((r) => r.type === T.provider), []);
        assert.strictEqual(trustOf(run, "deploy-role").Statement[0].Principal.Federated, pulumiArn);
        assert.strictEqual(trustOf(run, "github-actions-role").Statement[0].Principal.Federated, githubArn);
    });

    it("adds the environment's subjects, in both forms, when jobs assume the role from an environment", async () => {
        const run = await runDeployments(config({ githubEnvironment: "lab" }));
        assert.deepStrictEqual(trustOf(run, "github-actions-role").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:example-org/eks-netpol-lab:ref:refs/heads/main",
            "repo:example-org/eks-netpol-lab:environment:lab",
            "repo:example-org@1234567/eks-netpol-lab@890123456:ref:refs/heads/main",
            "repo:example-org@1234567/eks-netpol-lab@890123456:environment:lab",
        ]);
    });

    it("with previewPullRequests, lets the app preview pull requests; a longer TTL moves only the timestamp", async () => {
        const run = await runDeployments(config({ previewPullRequests: "true", labTtlHours: "24" }));
        assert.strictEqual(one(run, T.settings, "dev-settings").inputs.vcs.previewPullRequests, true);
        assert.strictEqual(one(run, T.settings, "dev-settings").inputs.vcs.deployCommits, false);
        assert.strictEqual(one(run, T.ttl, "dev-ttl").inputs.timestamp, "2030-01-02T00:00:00Z");
    });

    it("refuses review stacks until the repository has their template stack file, Pulumi.pr.yaml", async () => {
        const run = await runDeployments(config({ reviewStacks: "true" }));
        assert.strictEqual(run.error?.message.split("\n")[1], '  - reviewStacks: "pr" has no Pulumi.pr.yaml at the repository root; create the stack (`npm run pulumi -- stack init pr`, then set aws:region) or remove it');
    });

    it("refuses an invalid stack with exactly pulumi up's message, registering nothing", async () => {
        const run = await runDeployments(config({ labTtlHours: "200" }));
        assert.strictEqual(run.error?.name, "DeploymentsSettingsError");
        assert.strictEqual(run.error?.message.split("\n")[1], '  - labTtlHours: "200" is not a whole number of hours from 1 to 168');
        assert.deepStrictEqual(run.resources, []);
    });
});

describe("deployments program: around it", () => {
    const ROOT = path.resolve(__dirname, "..", "..");

    it("names the lab project as the lab's Pulumi.yaml does (its stacks, OIDC subjects and clusters carry it)", () => {
        assert.strictEqual(parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).name, LAB_PROJECT);
    });

    it("shares the one @pulumi/pulumi copy: @pulumi/pulumiservice brings none of its own", () => {
        assert.ok(!fs.existsSync(path.join(ROOT, "node_modules", "@pulumi", "pulumiservice", "node_modules", "@pulumi", "pulumi")));
    });

    it("lists offline what pulumi up of the ci stack would register (npm run deployments:plan)", async () => {
        const result = await planDeployments([]);
        assert.strictEqual(result.exitCode, 0, result.stderr);
        const lines = result.stdout.split("\n");
        assert.strictEqual(lines[0], "Stack ci: pulumi up would register 13 resources");
        // TTL times come from a fixed clock offline, and the listing says so.
        assert.ok(lines.includes("    destroys dev at 2030-01-01T08:00:00Z (by the fixed offline clock: TTL clocks start at 2030-01-01T00:00:00Z here, at their first `up` for real), after dev-settings"), result.stdout);
        assert.strictEqual(lines.at(-2), "TTL times (labTtlExpiresAt, each TtlSchedule) are by the fixed offline clock: TTL clocks start at 2030-01-01T00:00:00Z here, at their first `up` for real.");
        assert.ok(lines.includes('  deployRoleArn: "arn:aws:iam::123456789012:role/eks-netpol-lab-deploy"'), result.stdout);
        assert.deepStrictEqual(await planDeployments(["--stack", "prod"]), { stdout: "", stderr: "deployments:plan: no stack file deployments/Pulumi.prod.yaml\n", exitCode: 2 });
        assert.strictEqual((await planDeployments(["--verbose"])).exitCode, 2);
    });
});

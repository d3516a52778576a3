/**
 * What Pulumi Deployments is told about each lab stack, as pure data: where its code is, what triggers it, how its
 * dependencies are installed, which image runs it and how it gets AWS credentials.
 */
import type { DeploymentsSettings } from "./config";
import { LAB_PROJECT } from "./config";

/**
 * The runner image: Pulumi's full image, not a slim `pulumi-nodejs-*` one. The lab's kubeconfig authenticates by
 * running `aws eks get-token`, and only the full image has the AWS CLI (v2, with kubectl); the slim images install
 * curl, git and the Pulumi CLI only (pulumi-docker-containers, docker/nodejs/Dockerfile). Its Node.js is 26, the
 * default of the 22, 24 and 26 it installs with fnm, which package.json's engines (>=20.19) allow. Pinned to a CLI
 * release rather than `latest`, so a new image cannot change a deployment unannounced: change it deliberately.
 */
export const EXECUTOR_IMAGE = "pulumi/pulumi:3.259.0";

/** The credentials a deployment gets last this long; an up that creates a cluster and recycles nodes fits well inside. */
export const SESSION_HOURS = 3;

/**
 * The files a lab stack is built from, as Deployments path filters (globs over the whole path from the repository
 * root; `*` stays within a directory): the program and its dependencies. Docs, tests, workflows and the deployments
 * project are not among them, so a change to those alone deploys nothing.
 */
export const PROGRAM_PATHS = ["*.ts", "components/**", "policies/**", "Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json"];

/** The path filters of one lab stack: the program, and its own stack file (not the other stacks'). */
export function deployPaths(stack: string): string[] {
    return [...PROGRAM_PATHS, `Pulumi.${stack}.yaml`];
}

/** The paths a push to the branch must touch for the deploy workflow to run: any lab stack's. */
export function pushPaths(): string[] {
    return [...PROGRAM_PATHS, "Pulumi.*.yaml"];
}

export interface SettingsInputs {
    organization: string;
    project: string;
    stack: string;
    sourceContext: { git: { branch: string; repoDir: string } };
    vcs: { provider: "github"; repository: string; deployCommits: boolean; previewPullRequests: boolean; pullRequestTemplate: boolean; paths: string[] };
    operationContext: {
        preRunCommands: string[];
        options: { skipInstallDependencies: boolean; skipIntermediateDeployments: boolean; deleteAfterDestroy: boolean };
        oidc: { aws: { roleARN: string; sessionName: string; duration: string } };
    };
    executorContext: { executorImage: string };
}

/**
 * The DeploymentSettings of `stack` (a lab stack, or the review-stack template when `template`).
 *
 * - `vcs`, not the deprecated `github` block; `provider: "github"` exactly (the provider drops a block whose provider
 *   it does not know, silently). Its `deployCommits` and `previewPullRequests` default to true, so both are set.
 * - `deployCommits: false`: the deploy workflow runs `pulumi up --remote --remote-inherit-settings` on a push to the
 *   branch (at the pushed commit, `--remote-git-commit`), so exactly one path deploys. `branch` stays: the TTL's
 *   destroy and drift detection run from it.
 * - No `repoUrl`: the GitHub app, through `vcs.repository`, clones the repository, private or not.
 * - `skipInstallDependencies` and a pre-run `npm ci`: exactly the lockfile, as CI tests it.
 * - `deleteAfterDestroy: false`: a stack the TTL destroys keeps its settings and schedules, so it can come back.
 */
export function settingsInputs(s: DeploymentsSettings, stack: string, roleArn: string, template = false): SettingsInputs {
    return {
        organization: s.organization,
        project: LAB_PROJECT,
        stack,
        sourceContext: { git: { branch: `refs/heads/${s.branch}`, repoDir: "." } },
        vcs: {
            provider: "github",
            repository: s.repository,
            deployCommits: false,
            previewPullRequests: template ? false : s.previewPullRequests,
            pullRequestTemplate: template,
            paths: deployPaths(stack),
        },
        operationContext: {
            preRunCommands: ["npm ci --no-audit --no-fund"],
            options: { skipInstallDependencies: true, skipIntermediateDeployments: true, deleteAfterDestroy: false },
            oidc: { aws: { roleARN: roleArn, sessionName: `${LAB_PROJECT}-${stack}`.slice(0, 64), duration: `${SESSION_HOURS}h0m0s` } },
        },
        executorContext: { executorImage: EXECUTOR_IMAGE },
    };
}

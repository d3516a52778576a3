/**
 * Runs dynamic providers the way `pulumi up` and `pulumi destroy` run them: in the SDK's real dynamic-provider host
 * (node_modules/@pulumi/pulumi/cmd/dynamic-provider), a separate Node process that gets each provider as the TEXT
 * Pulumi serialized into the `__provider` input, loads it with require-from-string and calls `handler()`. Module state,
 * object identity and anything else closure serialization loses is lost here too, which calling a provider object
 * directly cannot show.
 *
 * The calls mirror the engine's: `create` gets the checked inputs (with `__provider`), `update` and `diff` get the
 * stored outputs as olds, `delete` gets the stored outputs. The host's stderr, where providers log, is captured.
 *
 * Driving any dynamic resource of the program, given the inputs runProgram() recorded for it (`__provider` included):
 *     const host = await ProviderHost.start({ env: hostEnv({ awsEndpoint: aws.url }).vars });   // in before()
 *     const { inputs } = await host.check(urn, {}, recordedInputs);
 *     const { id, outs } = await host.create(urn, inputs);
 *     await host.delete(id, urn, outs);
 *     await host.takeStderrUntil(/what it logs/);
 *     await host.stop();                                                                        // in after()
 */
import type * as grpcTypes from "@grpc/grpc-js";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { ChildProcess, spawn } from "child_process";
import { createRequire } from "module";
import * as path from "path";

/** The repository root: the engine starts the host in the project directory, where the provider's requires resolve. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const HOST_SCRIPT = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");

// The host's own gRPC and protobuf modules, so client and messages match what the host speaks.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const providerGrpc: typeof providerGrpcTypes = fromPulumi("./proto/provider_grpc_pb");
const proto: typeof providerTypes = fromPulumi("./proto/provider_pb");
const { Struct }: typeof structTypes = fromPulumi("google-protobuf/google/protobuf/struct_pb");

export type Props = Record<string, any>;

export interface DiffResult {
    /** true, false, or undefined when the provider could not tell (DIFF_UNKNOWN). */
    changes: boolean | undefined;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export interface HostOptions {
    /** The host's whole environment (nothing is inherited, so no ambient AWS settings leak in). */
    env: Record<string, string>;
    /** The longest any one call may take. @default - 20 s */
    deadlineMs?: number;
}

/** A URN of a dynamic resource of this project, as the engine would name it. */
export function dynamicUrn(type: string, name: string): string {
    return `urn:pulumi:dev::eks-netpol-lab::pulumi-nodejs:dynamic/eks-netpol-lab:${type}::${name}`;
}

/** One running host, and a client that speaks to it as the engine does. */
export class ProviderHost {
    private stderrText = "";
    private stderrTaken = 0;

    private constructor(private readonly child: ChildProcess, private readonly client: providerGrpcTypes.ResourceProviderClient, private readonly deadlineMs: number) {
        child.stderr!.on("data", (chunk) => (this.stderrText += chunk));
    }

    /** Starts the host in the repository root, waits for the port it prints, and connects to it. */
    static async start(options: HostOptions): Promise<ProviderHost> {
        // The host only checks that an engine address is given; it never calls the engine for these RPCs.
        const child = spawn(process.execPath, [HOST_SCRIPT, "127.0.0.1:1"], { cwd: REPO_ROOT, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
        const port = await firstLine(child, 15_000);
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, options.deadlineMs ?? 20_000);
        await host.configure();
        return host;
    }

    /** Everything the host has written to stderr (provider logs, the host's own error reports). */
    get stderr(): string {
        return this.stderrText;
    }

    /** What the host wrote to stderr since the last take: one operation's log. */
    takeStderr(): string {
        const text = this.stderrText.slice(this.stderrTaken);
        this.stderrTaken = this.stderrText.length;
        return text;
    }

    /**
     * Waits until what the host wrote to stderr since the last take matches `pattern`, then takes it. The host logs
     * before it answers, but the log comes on a pipe and the answer on a socket, so the answer can arrive first.
     */
    async takeStderrUntil(pattern: RegExp, timeoutMs = 2000): Promise<string> {
        const pending = () => this.stderrText.slice(this.stderrTaken);
        if (!pattern.test(pending())) {
            await new Promise<void>((resolve, reject) => {
                const stderr = this.child.stderr!;
                const done = (error?: Error) => {
                    clearTimeout(timer);
                    stderr.off("data", onData);
                    if (error) reject(error);
                    else resolve();
                };
                // Registered after the constructor's listener, so the chunk is already in stderrText.
                const onData = () => pattern.test(pending()) && done();
                const timer = setTimeout(() => done(new Error(`the host's stderr did not match ${pattern} in ${timeoutMs} ms; it was:\n${pending()}`)), timeoutMs);
                stderr.on("data", onData);
            });
        }
        return this.takeStderr();
    }

    async configure(): Promise<void> {
        const req = new proto.ConfigureRequest();
        req.setArgs(Struct.fromJavaScript({}));
        await this.call("configure", req);
    }

    async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new proto.CheckRequest();
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res: providerTypes.CheckResponse = await this.call("check", req);
        return { inputs: res.getInputs()?.toJavaScript() ?? {}, failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    }

    async diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffResult> {
        const req = new proto.DiffRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res: providerTypes.DiffResponse = await this.call("diff", req);
        const kinds = proto.DiffResponse.DiffChanges;
        const changes = res.getChanges() === kinds.DIFF_SOME ? true : res.getChanges() === kinds.DIFF_NONE ? false : undefined;
        return { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    }

    async create(urn: string, props: Props): Promise<{ id: string; outs: Props }> {
        const req = new proto.CreateRequest();
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(props));
        const res: providerTypes.CreateResponse = await this.call("create", req);
        return { id: res.getId(), outs: res.getProperties()?.toJavaScript() ?? {} };
    }

    async update(id: string, urn: string, olds: Props, news: Props): Promise<{ outs: Props }> {
        const req = new proto.UpdateRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res: providerTypes.UpdateResponse = await this.call("update", req);
        return { outs: res.getProperties()?.toJavaScript() ?? {} };
    }

    async delete(id: string, urn: string, props: Props): Promise<void> {
        const req = new proto.DeleteRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(props));
        await this.call("delete", req);
    }

    /** Closes the connection and kills the host. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }

    /** One unary RPC under the deadline; rejects with the provider's own message (gRPC's `details`). */
    private call<T>(method: string, req: unknown): Promise<T> {
        const client = this.client as unknown as Record<string, Function>;
        return new Promise((resolve, reject) => {
            client[method].call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + this.deadlineMs }, (err: grpcTypes.ServiceError | null, res: T) => {
                if (err) reject(new Error(err.details || err.message));
                else resolve(res);
            });
        });
    }
}

/** The first line the host prints on stdout (its port), or a failure with its stderr if it dies or stays silent. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        const fail = (why: string) => {
            clearTimeout(timer);
            child.kill();
            reject(new Error(`dynamic provider host ${why}; stderr: ${err}`));
        };
        const timer = setTimeout(() => fail(`printed no port in ${timeoutMs} ms`), timeoutMs);
        const onStderr = (chunk: Buffer) => (err += chunk);
        const onExit = (code: number | null) => fail(`exited with ${code} before printing its port`);
        const onStdout = (chunk: Buffer) => {
            out += chunk;
            const newline = out.indexOf("\n");
            if (newline < 0) return;
            clearTimeout(timer);
            child.stderr!.off("data", onStderr);
            child.stdout!.off("data", onStdout);
            child.off("exit", onExit);
            resolve(out.slice(0, newline).trim());
        };
        child.stderr!.on("data", onStderr);
        child.stdout!.on("data", onStdout);
        child.once("exit", onExit);
    });
}

/** `value` with every object's keys in reverse order: state read back need not keep the order a program wrote. */
export function reversedKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reversedKeys);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

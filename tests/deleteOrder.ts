/**
 * The order Pulumi deletes a program's resources in, computed from what the program registered: a resource is deleted
 * only after every resource that depends on it. Dependencies are what the engine records:
 * - the parent (children go before their parent);
 * - `dependsOn`, where a dependency on a component stands for its custom and remote descendants (the Node SDK expands
 *   it so, @pulumi/pulumi runtime/dependsOn.js), not for the component itself.
 * Property dependencies (an input that is another resource's output) are not recorded by the mocks, so tests state
 * every ordering they rely on with `dependsOn`.
 */
import { ProgramRun, RecordedResource } from "../bin/offlineProgram";

/** Remote components (created by a provider plugin): descendants in their own right, as custom resources are. */
const isRemote = (r: RecordedResource) => r.type.startsWith("eks:index:");

export class DeleteOrder {
    /** Resources by logical name; two of different types may share one (a ClusterRole and its binding, say). */
    private readonly byName = new Map<string, RecordedResource[]>();
    private readonly children = new Map<string, string[]>();

    constructor(run: ProgramRun) {
        for (const r of run.resources) {
            this.byName.set(r.name, [...(this.byName.get(r.name) ?? []), r]);
            this.children.set(r.options.parent, [...(this.children.get(r.options.parent) ?? []), r.name]);
        }
    }

    /** What `dependsOn: [name]` makes a resource wait for. */
    private expand(name: string): string[] {
        if (this.get(name).some((r) => r.custom || isRemote(r))) return [name];
        return (this.children.get(name) ?? []).flatMap((child) => this.expand(child));
    }

    /** The resources `name` depends on directly. */
    private dependencies(name: string): string[] {
        return this.get(name).flatMap((r) => [
            ...(r.options.parent === "(stack)" ? [] : [r.options.parent]),
            ...r.options.dependsOn.flatMap((d) => this.expand(d)),
        ]);
    }

    private get(name: string): RecordedResource[] {
        const found = this.byName.get(name);
        if (!found) throw new Error(`no resource named ${name}; registered: ${[...this.byName.keys()].join(", ")}`);
        return found;
    }

    /** Whether Pulumi deletes `first` before `then`: `first` depends on `then`, directly or through others. */
    deletesBefore(first: string, then: string): boolean {
        this.get(then);
        const seen = new Set<string>();
        const stack = [first];
        while (stack.length > 0) {
            const name = stack.pop()!;
            for (const d of this.dependencies(name)) {
                if (d === then) return true;
                if (!seen.has(d)) {
                    seen.add(d);
                    stack.push(d);
                }
            }
        }
        return false;
    }
}

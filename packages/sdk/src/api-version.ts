/**
 * The plugin API version this SDK speaks. A plugin declares it in package.json ("walt": {"apiVersion": 1}).
 * Still 1 after NodeLifecycleHooks lost create, start and remove: the host never called them, so no
 * plugin could depend on them; defineNodeModel now refuses them with that reason.
 */
export const SDK_API_VERSION = 1;

/** Semver of the SDK package itself, reported in startup reports. */
export const SDK_VERSION = '1.0.0';

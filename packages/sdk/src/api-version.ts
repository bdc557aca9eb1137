/**
 * The plugin API version this SDK speaks. A plugin declares it in package.json ("walt": {"apiVersion": 1}).
 * Still 1 after NodeLifecycleHooks lost create, start and remove: the host never called them, so no
 * plugin could depend on them; defineNodeModel now refuses them with that reason. Still 1 after
 * VirtualNodeBoot lost its `direct` variant (kernel, initrd, cmdline, rootfs over 9p): only the host
 * produced it and providers only read it, so no plugin breaks; a provider's code for it is now dead.
 */
export const SDK_API_VERSION = 1;

/** Semver of the SDK package itself, reported in startup reports. */
export const SDK_VERSION = '1.0.0';

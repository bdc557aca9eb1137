/**
 * The hook the images side plugs into registration: a new node's model needs its default image
 * (`waltplatform/<model>-default:latest`) before the node can boot. Without a provider, or while
 * it is not enabled (no image engine that can pull), new nodes are registered at once as nodes.
 *
 * With a provider, a node whose default image is not local is first recorded as an `unknown` device,
 * `fetch` is called (once per MAC at a time) and, when it resolves, the device is converted to a node
 * (platform lines as in the original: "Device X is a walt node of type 'M'.", "Trying to download...",
 * "Image I was downloaded successfully." or the error and "New M nodes will be seen as devices of type
 * 'unknown' until this is solved."). The error is an ERROR line once per reason (a storm of new nodes
 * without an image engine says what to install once); `fetch` may reject or even throw: both are caught.
 */
export interface DefaultImageProvider {
  /** Does registration wait for default images now? */
  enabled(): boolean;
  /** True when the image is in the local store now (synchronous: keep a cache). */
  isLocal(image: string): boolean;
  /** Make the image local (pull it); reject with a one-line reason. */
  fetch(image: string, model: string): Promise<void>;
}

/** Image names that mean an AI stack: NVIDIA's L4T images, jetson-containers (dustynv), and the usual frameworks and servers. */
const AI_IMAGE = /(^|\/)l4t-|jetson-containers|(^|\/)dustynv\/|tensorrt|pytorch|torch|tensorflow|onnxruntime|tritonserver|deepstream|ollama|llama|vllm|ultralytics/i;

export function isAiImage(tags: readonly string[]): boolean {
  return tags.some((tag) => AI_IMAGE.test(tag));
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs registers no gradient for DepthToSpace, so the pixel-shuffle descriptor (srresnet-sr)
 * cannot train. DepthToSpace only moves values, so its gradient is the inverse move
 * (SpaceToDepth) applied to dy. In NHWC with tfjs's (DCR) channel order:
 *   y[n, h·b + i, w·b + j, c] = x[n, h, w, (i·b + j)·C + c]
 */
export function spaceToDepth(y: tf.Tensor4D, block: number): tf.Tensor4D {
  const [n, hb, wb, c] = y.shape;
  const h = hb / block, w = wb / block;
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(y, [n, h, block, w, block, c]), [0, 1, 3, 2, 4, 5]), [n, h, w, block * block * c]) as tf.Tensor4D,
  );
}

let registered = false;

export function registerDepthToSpaceGradient(): void {
  if (registered || tf.getGradient('DepthToSpace')) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'DepthToSpace',
    gradFunc: (dy, _saved, attrs) => {
      const { blockSize, dataFormat } = attrs as unknown as { blockSize: number; dataFormat: string };
      if (dataFormat !== 'NHWC') throw new Error('DepthToSpace gradient supports NHWC only');
      return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize) };
    },
  });
}

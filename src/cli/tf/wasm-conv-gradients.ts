import * as tf from '@tensorflow/tfjs-core';

/**
 * Convolution gradient kernels for tfjs-backend-wasm.
 *
 * tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so training any conv net on it fails.
 * The weight gradient is itself a convolution: with the batch axis moved into the channel axis,
 *
 *   dW[i, j, ci, co] = Σ_{n,y,x} Xpad[n, y·s + i, x·s + j, ci] · dY[n, y, x, co]
 *                    = conv2d(Xᵀ, dYᵀ, dilation = s)  with Xᵀ = [ci, H, W, n], dYᵀ = [Ho, Wo, n, co]
 *
 * which runs on the backend's fast (XNNPACK) forward conv. The kernel is composed from the
 * backend's own kernels on TensorInfos, as backends compose kernels internally, so no Tensor
 * bookkeeping leaks. Checked against the cpu backend in conv2d-backprop-filter.test.ts.
 */
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dataFormat: 'NHWC' | 'NCHW';
}

function conv2dBackpropFilterKernel(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend } = args;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape, dataFormat } = args.attrs as unknown as BackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');

  const { run, finish } = kernelComposer(backend);

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  const [kh, kw] = filterShape;
  const [batch, height, width, inChannels] = x.shape;

  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [ci, H, W, n]
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, n, co]
  // 'valid' windows can leave trailing rows unused (negative bottom/right padding): crop them.
  const usedH = Math.min(height, height + bottom);
  const usedW = Math.min(width, width + right);
  const cropped = usedH < height || usedW < width ? run('Slice', { x: xT }, { begin: [0, 0, 0, 0], size: [inChannels, usedH, usedW, batch] }) : xT;
  const padded = run('PadV2', { x: cropped }, { paddings: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]], constantValue: 0 });
  const full = run('Conv2D', { x: padded, filter: dyT }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap); // [ci, ≥kh, ≥kw, co]
  // A dilated conv over padded input can produce extra trailing taps that no filter weight uses.
  const dw = full.shape[1] === kh && full.shape[2] === kw ? full : run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [inChannels, kh, kw, filterShape[3]] });
  const result = run('Transpose', { x: dw }, { perm: [1, 2, 0, 3] }); // [kh, kw, ci, co]

  return finish(result);
}

/** Runs a backend's own kernels on TensorInfos and frees every intermediate but the result. */
function kernelComposer(backend: tf.KernelBackend) {
  const backendName = tf.getBackend();
  const intermediates: tf.TensorInfo[] = [];
  return {
    run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
      const kernel = tf.getKernel(kernelName, backendName);
      if (!kernel) throw new Error(`backend ${backendName} has no ${kernelName} kernel`);
      const out = kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
      intermediates.push(out);
      return out;
    },
    finish(result: tf.TensorInfo): tf.TensorInfo {
      for (const t of intermediates) if (t !== result) backend.disposeData(t.dataId);
      return result;
    },
  };
}

/**
 * The wasm backend's own Conv2DBackpropInput is a plain loop, ~8× slower than its XNNPACK forward
 * conv (333 ms against 40 ms for a 16×48×48×32 batch here). For stride 1 the input gradient is a
 * forward conv of the padded output gradient with the filter flipped in space and with its
 * channel axes swapped:
 *
 *   dX[n, y, x, ci] = Σ_{i,j,co} dYpad[n, y + i, x + j, co] · W[kh−1−i, kw−1−j, ci, co]
 *
 * Other strides keep the backend's original kernel.
 */
function conv2dBackpropInputKernel(original: tf.KernelFunc) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    const { inputs, backend } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as {
      strides: number | [number, number]; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
    if (sh !== 1 || sw !== 1 || dataFormat !== 'NHWC') return original(args) as tf.TensorInfo;
    const filterShape = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, 1, 1, pad, dimRoundingMode, false, 'channelsLast');
    const [kh, kw] = filterShape;
    const [, height, width] = inputShape;
    const { run, finish } = kernelComposer(backend);
    const padTop = kh - 1 - info.padInfo.top, padLeft = kw - 1 - info.padInfo.left;
    const padBottom = height - info.outHeight + kh - 1 - padTop, padRight = width - info.outWidth + kw - 1 - padLeft;
    if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) return original(args) as tf.TensorInfo;
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, co, ci]
    const padded = run('PadV2', { x: dy }, { paddings: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]], constantValue: 0 });
    const dx = run('Conv2D', { x: padded, filter: swapped }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
    return finish(dx);
  };
}

let registered = false;

/**
 * Registers both conv gradient kernels for the wasm backend (idempotent): the missing
 * Conv2DBackpropFilter, and a faster Conv2DBackpropInput that keeps the original for strides > 1.
 */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel as unknown as tf.KernelFunc });
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputKernel(original.kernelFunc) as unknown as tf.KernelFunc });
  }
}

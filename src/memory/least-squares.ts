/** A straight line fitted by ordinary least squares. */
export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination, 0 to 1; 0 when y does not vary or there are fewer than 2 points. */
  readonly r2: number;
}

/**
 * Fits `y = slope * x + intercept` by ordinary least squares. Centred sums keep the
 * arithmetic exact enough for heap sizes in the gigabytes against indices in the thousands.
 */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return { slope: 0, intercept: 0, r2: 0 };
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i]!;
    meanY += ys[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    const dy = ys[i]! - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (n < 2 || sxx === 0) return { slope: 0, intercept: meanY, r2: 0 };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : Math.min(1, (sxy * sxy) / (sxx * syy));
  return { slope, intercept: meanY - slope * meanX, r2 };
}

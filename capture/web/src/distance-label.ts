import type { Calibration, Point } from './discussion-messages';

/**
 * A distance between two stored pixels as the captured presentation state labels it (docs/discussion.md, Capture;
 * PixelCalibration in the DICOM toolkit): Imager Pixel Spacing is at the detector plane, so with a magnification the
 * length is divided by it and is approximate (the structure lies only near the isocentre).
 */
export function distanceLabel(points: Point[], calibration: Calibration | undefined): string {
  const [a, b] = points;
  if (!a || !b) return '';
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  if (!calibration) return `${Math.hypot(dx, dy).toFixed(1)} px (uncalibrated)`;
  const mm = Math.hypot(dx * calibration.columnMm, dy * calibration.rowMm);
  if (calibration.magnification === undefined) return `${mm.toFixed(1)} mm (at detector plane)`;
  return `${(mm / calibration.magnification).toFixed(1)} mm (calibrated, approximate)`;
}

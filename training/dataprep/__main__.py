"""python -m training.dataprep --out build/data [--ieee8023 DIR] [--kermany DIR] [--crd DIR] [--folder DIR]
[--dicom DIR --labels CSV]: see training/dataprep/README.md."""
import argparse

from . import dedup, pipeline


def parse(argv=None):
    ap = argparse.ArgumentParser(prog="python -m training.dataprep",
                                 description="Turn downloaded chest X-ray collections into a manifest with "
                                             "leakage groups and splits (see training/dataprep/README.md).")
    ap.add_argument("--out", default="build/data", help="output folder (manifest.csv, SUMMARY.md, images/ links)")
    ap.add_argument("--ieee8023", help="COVID-19 image data collection folder (metadata.csv, images/)")
    ap.add_argument("--ieee8023-metadata", help="its metadata.csv when not inside --ieee8023")
    ap.add_argument("--kermany", help="Kermany chest_xray folder (train|test|val/NORMAL|PNEUMONIA/)")
    ap.add_argument("--crd", help="COVID-19 Radiography Database folder "
                                  "(COVID/, Normal/, Viral Pneumonia/, Lung_Opacity/)")
    ap.add_argument("--folder", help="your own images: <label>/[<patient>/]<image>")
    ap.add_argument("--dicom", help="folder of DICOM files (needs --labels)")
    ap.add_argument("--labels", help="CSV of the DICOM labels: file,label[,patient]")
    ap.add_argument("--seed", type=int, default=1234, help="split seed (default 1234)")
    ap.add_argument("--max-hamming", type=int, default=dedup.MAX_HAMMING, help="pHash candidates (bits of 64)")
    ap.add_argument("--min-corr", type=float, default=dedup.MIN_CORR, help="32x32 correlation to confirm")
    ap.add_argument("--min-hp-corr", type=float, default=dedup.MIN_HP_CORR, help="... and of their Laplacians")
    ap.add_argument("--keep-conflicts", action="store_true", help="keep images that carry two labels")
    ap.add_argument("--copy", action="store_true", help="copy images instead of symbolic links")
    ap.add_argument("--no-cache", action="store_true", help="skip the cxr-prep canonical-image cache")
    ap.add_argument("--no-contact", action="store_true", help="skip the contact sheets")
    ap.add_argument("--jobs", type=int, default=2, help="cxr-prep threads (default 2)")
    args = ap.parse_args(argv)
    if not any((args.ieee8023, args.ieee8023_metadata, args.kermany, args.crd, args.folder, args.dicom)):
        ap.error("give at least one input: --ieee8023, --kermany, --crd, --folder or --dicom")
    return args


def main(argv=None):
    return pipeline.build(parse(argv))


if __name__ == "__main__":
    main()

"""training.dataprep: from the public collections as people download them (and one's own images) to a
manifest of the form of ../shared/cxr-data/manifest.csv, with leakage groups, splits, a summary, contact
sheets and the canonical-image cache. `make data`; see README.md in this folder."""

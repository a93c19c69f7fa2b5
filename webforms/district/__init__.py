"""The district appraisal panel's pages: queue, appraisal, return, verification."""

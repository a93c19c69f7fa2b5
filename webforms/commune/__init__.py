"""The commune officer's pages: self-assessment, evidence, submission."""

"""The Atom feeds door (/feeds/…): what changed, for feed readers, over reads.feeds."""

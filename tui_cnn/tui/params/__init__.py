"""The Parameters view: the layer table, the chapter's arithmetic, naive vs torch conv."""

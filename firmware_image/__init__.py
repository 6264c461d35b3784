"""The speaker image: ``shopcrier-image base``, ``build`` and ``provision``.

Everything here runs rootless and without loop mounts: partitions are cut out
of the disk file with ``dd``, the FAT boot partition is edited with mtools,
the ext4 root with ``debugfs``, and the disk is put back together with
``sfdisk`` (see ``disk.py``). The files that end up inside the image (units,
the first-boot script, the launcher) live in ``firmware_image/rootfs/``.
"""

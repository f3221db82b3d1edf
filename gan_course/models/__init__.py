"""One module per paper: its objective, networks, paper defaults, training ``Step`` and recipe.

* :mod:`~gan_course.models.gan`: Goodfellow et al. (2014), the GAN and its Algorithm 1 step; the toy networks.
* :mod:`~gan_course.models.wgan`: Arjovsky et al. (2017) and Gulrajani et al. (2017), WGAN and WGAN-GP.
* :mod:`~gan_course.models.improved_gan`: Salimans et al. (2016), feature matching.
* :mod:`~gan_course.models.dcgan`: Radford et al. (2016), DCGAN for 28 x 28 digits.
* :mod:`~gan_course.models.classifier`: the MNIST judge that scores generated digits, and the judges of
  lesson 12's domains.
* :mod:`~gan_course.models.pacgan`: Lin et al. (2018), PacGAN's packed discriminator.
* :mod:`~gan_course.models.cgan`: Mirza & Osindero (2014), Reed et al. (2016), Miyato & Koyama (2018),
  conditional GANs by concatenation or projection.
* :mod:`~gan_course.models.infogan`: Chen et al. (2016), InfoGAN.
* :mod:`~gan_course.models.cyclegan`: Zhu et al. (2017), CycleGAN.
* :mod:`~gan_course.models.twingan`: Li (2018), Twin-GAN.
* :mod:`~gan_course.models.recyclegan`: Bansal et al. (2018), Recycle-GAN (temporal predictors, the recycle
  loss).
* :mod:`~gan_course.models.tpgan`: Huang et al. (2017), TP-GAN (frontal view synthesis), and
  :mod:`~gan_course.models.face_identity`, the procedural faces' identity network it is measured with.
* :mod:`~gan_course.models.anogan`: Schlegl et al. (2017), AnoGAN's latent search;
  :mod:`~gan_course.models.egbad`: Zenati et al. (2018), EGBAD (a BiGAN); :mod:`~gan_course.models.ganomaly`:
  Akçay et al. (2018), GANomaly; :mod:`~gan_course.models.fanogan`: Schlegl et al. (2019), f-AnoGAN;
  :mod:`~gan_course.models.baselines` (autoencoder, kNN), :mod:`~gan_course.models.detectors`, the five
  anomaly detectors behind one interface, and :mod:`~gan_course.models.one_class`, what they share.

Taught in: lessons 00–16.
"""

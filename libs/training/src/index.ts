export * from './classifier.types.js';
export { trainClassifier, type TrainedClassifier } from './classifier.trainer.js';
export { predictProbabilities, evaluateClassifier, type SplitEvaluation } from './classifier.predict.js';
export { TrainingInputError, TrainingDivergedError } from './training-input.error.js';
export { initTrainingBackend, type BackendInfo, type BackendName } from './tf.backend.js';
export { syntheticClasses, type SyntheticClassesOptions } from './synthetic-classes.fixture.js';
export { packModel, unpackModel, ModelUnreadableError, type ModelMeta, type PackModelOptions } from './model.pack.js';
export { toTrainingResult, type TrainingResultContext } from './training-result.mapper.js';
export { skillSums, addSkillSums, skillFromSums, type SkillSums } from './skill.metrics.js';

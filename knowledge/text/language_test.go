package text

// frenchSample is a French news paragraph, for detecting a language whose
// stop words are known but that is neither English nor German.
const frenchSample = `Le conseil municipal a approuvé mardi soir la construction d'une digue de 2,4 milliards d'euros à l'embouchure de la baie. Les opposants, dont la coopérative des pêcheurs, ont annoncé qu'ils contesteraient la décision devant le tribunal administratif. « Nous avons tout perdu deux fois », a déclaré une habitante dont la maison avait été inondée en 2021.`
